"""The §8 reference workloads in LangGraph, for the README's side-by-side table.

Printed in workflowd-bench's line format (median of 7 repetitions, in µs per unit):
chain100 (100 nodes in a line, +1 each: µs per superstep), loop1k (a self-loop: µs per superstep),
checkpoint_chain100 (chain100 with the in-memory checkpointer: µs per checkpoint),
checkpoint_chain100_sqlite (chain100 with SqliteSaver on a file: µs per checkpoint),
hitl1k (an interrupt answered with Command(resume=...) 1,000 times, in-memory checkpointer:
µs per round trip), instances10k (memory per compiled graph + thread state, KiB).
"""
import os, statistics, sys, tempfile, time, tracemalloc
from typing import TypedDict

from langgraph.graph import StateGraph, START, END
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command, interrupt


class State(TypedDict):
    n: int


def line(name, unit, samples, **extra):
    ordered = sorted(samples)
    text = f"workload={name} unit={unit} median_us={statistics.median(ordered):.2f} min_us={ordered[0]:.2f} max_us={ordered[-1]:.2f} reps={len(ordered)}"
    for key, value in extra.items():
        text += f" {key}={value}"
    print(text, flush=True)


def chain(length, checkpointer=None):
    graph = StateGraph(State)
    for index in range(length):
        graph.add_node(f"s{index:03}", lambda state: {"n": state["n"] + 1})
    graph.add_edge(START, "s000")
    for index in range(1, length):
        graph.add_edge(f"s{index - 1:03}", f"s{index:03}")
    graph.add_edge(f"s{length - 1:03}", END)
    return graph.compile(checkpointer=checkpointer)


def timed(body, runs, per_run):
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(runs):
            body()
        samples.append((time.perf_counter() - start) * 1e6 / (runs * per_run))
    return samples


def main():
    app = chain(100)
    app.invoke({"n": 0})
    line("chain100", "superstep", timed(lambda: app.invoke({"n": 0}), 5, 100))

    loop = StateGraph(State)
    loop.add_node("tick", lambda state: {"n": state["n"] + 1})
    loop.add_edge(START, "tick")
    loop.add_conditional_edges("tick", lambda state: "tick" if state["n"] < 1000 else END)
    looped = loop.compile()
    config = {"recursion_limit": 2000}
    line("loop1k", "superstep", timed(lambda: looped.invoke({"n": 0}, config), 1, 1000))

    memory = chain(100, InMemorySaver())
    counter = iter(range(10**9))
    line("checkpoint_chain100", "checkpoint",
         timed(lambda: memory.invoke({"n": 0}, {"configurable": {"thread_id": f"t{next(counter)}"}}), 2, 101))

    try:
        from langgraph.checkpoint.sqlite import SqliteSaver
        import sqlite3
        directory = tempfile.mkdtemp(prefix="lg-bench-")
        connection = sqlite3.connect(os.path.join(directory, "lg.sqlite"), check_same_thread=False)
        saver = SqliteSaver(connection)
        durable = chain(100, saver)
        line("checkpoint_chain100_sqlite", "checkpoint",
             timed(lambda: durable.invoke({"n": 0}, {"configurable": {"thread_id": f"s{next(counter)}"}}), 1, 101))
    except ImportError:
        print("workload=checkpoint_chain100_sqlite skipped=langgraph-checkpoint-sqlite-missing", flush=True)

    def ask(state):
        answer = interrupt({"question": state["n"]})
        return {"n": answer}
    hitl = StateGraph(State)
    hitl.add_node("ask", ask)
    hitl.add_edge(START, "ask")
    hitl.add_conditional_edges("ask", lambda state: "ask" if state["n"] < 10**9 else END)
    asking = hitl.compile(checkpointer=InMemorySaver())
    samples = []
    for rep in range(7):
        thread = {"configurable": {"thread_id": f"h{rep}"}, "recursion_limit": 10**6}
        asking.invoke({"n": 0}, thread)
        start = time.perf_counter()
        for n in range(1, 1001):
            asking.invoke(Command(resume=n), thread)
        samples.append((time.perf_counter() - start) * 1e6 / 1000)
    line("hitl1k", "round_trip", samples)

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    saver = InMemorySaver()
    graphs = []
    for index in range(1000):
        graph = chain(100, saver)
        graph.invoke({"n": 0}, {"configurable": {"thread_id": f"i{index}"}})
        graphs.append(graph)
    used = tracemalloc.get_traced_memory()[0] - before
    line("instances1k", "instance", [used / 1000 / 1024], note="KiB_per_chain100_instance_with_its_checkpoints")


if __name__ == "__main__":
    sys.exit(main())
