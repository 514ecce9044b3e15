import pytest

from pipelines.core.settings import DEMO_PSEUDONYM_KEY, REPO_ROOT, SettingsError, load_settings


def test_defaults():
    s = load_settings({})
    assert s.data_dir == REPO_ROOT / "data"
    assert s.env == "dev"
    assert s.min_cell_size == 10
    assert s.pseudonym_key == DEMO_PSEUDONYM_KEY and s.using_demo_key


def test_production_without_key_stops_before_reading():
    with pytest.raises(SettingsError, match="JEUGDZORG_PSEUDONYM_KEY"):
        load_settings({"JEUGDZORG_ENV": "production"})


def test_values_from_environment(tmp_path):
    s = load_settings({"JEUGDZORG_DATA_DIR": str(tmp_path), "JEUGDZORG_PSEUDONYM_KEY": "k",
                       "JEUGDZORG_MIN_CELL_SIZE": "5", "JEUGDZORG_ENV": "production"})
    assert (s.data_dir, s.pseudonym_key, s.min_cell_size, s.using_demo_key) == (tmp_path, "k", 5, False)


def test_bad_cell_size():
    with pytest.raises(SettingsError, match="whole number"):
        load_settings({"JEUGDZORG_MIN_CELL_SIZE": "ten"})
