from lucy_app.core.bench import storage


def test_the_storage_benchmark_reports_its_figures():
    result = storage.run(n_entries=60, n_queries=20)
    assert result["entries"] == 60
    assert result["insert_entries_per_s"] > 0 and result["fts_ms_p95"] >= result["fts_ms_p50"] > 0
    assert 200 <= result["words_per_entry"] <= 400
