"""Benchmark suite: ``python -m benchmarks`` from the repository root.

Each scenario lives in its own module (``benchmarks.s1_send`` ... ``benchmarks.s12_guards``) and
is run by ``benchmarks.__main__`` in a fresh interpreter, once per variant (our library, and a
reference doing the same work: a hand-written dict-lookup FSM, or another machine of ours). See
``benchmarks/README.md``.
"""
