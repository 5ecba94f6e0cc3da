"""The build state (guideline_trace.state): per-page records merged for -j, and the per-build cache."""

from __future__ import annotations

from types import SimpleNamespace

from guideline_trace.state import BuildCache, Definition, TraceState, build_cache, start_build, start_reading
from trace_model.model import Location, Problem


def test_a_page_read_again_replaces_its_records_and_a_merge_takes_only_the_pages_read() -> None:
    main = TraceState()
    main.definitions["a"] = [Definition("REQ-1", "req", Location("a.md", 3))]
    main.read_problems["a"] = [Problem(Location("a.md", 3), "bad-id", "m")]
    main.view_fingerprints["v"] = "x"
    main.clear_doc("a")
    main.clear_doc("v")
    assert main.definitions == {} and main.read_problems == {} and main.view_fingerprints == {}

    worker = TraceState()
    worker.definitions = {"b": [Definition("REQ-2", "req", Location("b.md", 1))],
                          "c": [Definition("REQ-3", "req", Location("c.md", 1))]}
    main.merge(worker, ["b"])
    assert list(main.definitions) == ["b"]


def test_the_build_cache_is_one_per_application_and_forgotten_when_a_build_starts() -> None:
    app, other = SimpleNamespace(), SimpleNamespace()
    cache = build_cache(app)
    assert build_cache(app) is cache and build_cache(other) is not cache
    cache.blocks[("matrix",)] = ()
    start_build(app, removed=False)
    assert build_cache(app).blocks == {} and build_cache(app).sources_changed is False
    build_cache(app).model = object()  # type: ignore[assignment]  # computed before reading: stale
    start_reading(app, [])
    assert build_cache(app).model is None and build_cache(app).sources_changed is False
    start_reading(app, ["index"])
    assert build_cache(app).sources_changed is True
    start_build(app, removed=True)
    start_reading(app, [])
    assert build_cache(app).sources_changed is True  # a removed page changes what the views show
    assert BuildCache().sources_changed is None  # unknown: the views treat the build as changed
