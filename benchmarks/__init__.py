"""Benchmark suite: ``python -m benchmarks`` from the repository root.

Each scenario lives in its own module (``benchmarks.s1_send`` ... ``benchmarks.s7_ring``) and is
run by ``benchmarks.__main__`` in a fresh interpreter, once per variant (our library, and a
hand-written dict-lookup FSM doing the same work). See ``benchmarks/README.md``.
"""
