
import dagster as dg
import pytest

from foundation.lake import PUBLISHED, WORKING, Lake, lake_from_settings
from foundation.settings import DEMO_PSEUDONYM_KEY, REPO_ROOT, SettingsError, load_settings
from foundation.warehouse import warehouse_from_settings


def test_defaults():
    s = load_settings({})
    assert s.data_dir == REPO_ROOT / "data"
    assert (REPO_ROOT / "workspace.yaml").is_file() and (REPO_ROOT / "foundation").is_dir()
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


def test_youth_care_index_reaches_the_warehouse(monkeypatch, tmp_path):
    assert load_settings({}).youth_care_index_pct == 5.0
    assert load_settings({"JEUGDZORG_YOUTH_CARE_INDEX_PCT": "4,25"}).youth_care_index_pct == 4.25
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_YOUTH_CARE_INDEX_PCT", "6.1")
    assert warehouse_from_settings().youth_care_index_pct == 6.1
    for bad in ("vijf", "250"):
        with pytest.raises(SettingsError, match="JEUGDZORG_YOUTH_CARE_INDEX_PCT"):
            load_settings({"JEUGDZORG_YOUTH_CARE_INDEX_PCT": bad})


def test_pseudonym_key_reaches_the_resource_as_an_env_var_never_as_its_value(monkeypatch, tmp_path):
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_PSEUDONYM_KEY", "municipality-secret")
    key = warehouse_from_settings().pseudonym_key
    assert isinstance(key, dg.EnvVar) and key.env_var_name == "JEUGDZORG_PSEUDONYM_KEY"
    assert "municipality-secret" not in repr(warehouse_from_settings())
    monkeypatch.delenv("JEUGDZORG_PSEUDONYM_KEY")
    assert warehouse_from_settings().pseudonym_key is None  # the demo key, with a warning


LAKE = {"JEUGDZORG_LAKE_CATALOG": "postgres:dbname=lake host=127.0.0.1 port=5432 user=jeugdzorg",
        "JEUGDZORG_LAKE_DATA_PATH": "/srv/jeugdzorg/lake"}


def test_without_the_lake_settings_the_working_file_stays():
    s = load_settings({})
    assert (s.lake_catalog, s.lake_data_path) == (None, None)
    assert lake_from_settings(s) is None


def test_the_lake_settings_make_the_lake():
    lake = lake_from_settings(load_settings(LAKE))
    assert lake == Lake(catalog="postgres:dbname=lake host=127.0.0.1 port=5432 user=jeugdzorg",
                        data_path="/srv/jeugdzorg/lake")
    assert (lake.data_folder(WORKING), lake.data_folder(PUBLISHED)) == ("/srv/jeugdzorg/lake/lake/",
                                                                        "/srv/jeugdzorg/lake/published/")


@pytest.mark.parametrize("only", ["JEUGDZORG_LAKE_CATALOG", "JEUGDZORG_LAKE_DATA_PATH"])
def test_one_lake_setting_without_the_other_names_both(only):
    with pytest.raises(SettingsError) as refused:
        load_settings({only: LAKE[only]})
    assert f"{only} is set but" in str(refused.value)
    assert "JEUGDZORG_LAKE_CATALOG and JEUGDZORG_LAKE_DATA_PATH" in str(refused.value)


@pytest.mark.parametrize("catalog", ["postgres:dbname=lake user=jeugdzorg password=Geheim-123",
                                     "postgres:dbname=lake user=jeugdzorg PASSWORD = Geheim-123",
                                     "postgres:postgresql://jeugdzorg:Geheim-123@db.example/lake"])
def test_a_password_in_the_catalog_is_refused_and_never_echoed(catalog):
    with pytest.raises(SettingsError, match="must not hold a password") as refused:
        load_settings({**LAKE, "JEUGDZORG_LAKE_CATALOG": catalog})
    assert "Geheim-123" not in str(refused.value) and "PGPASSWORD" in str(refused.value)


def test_the_lake_catalog_is_postgresql():
    for catalog in ("/srv/lake/catalog.ducklake", "ducklake:postgres:dbname=lake", "sqlite:catalog.db"):
        with pytest.raises(SettingsError, match="must be a PostgreSQL catalog"):
            load_settings({**LAKE, "JEUGDZORG_LAKE_CATALOG": catalog})


def test_the_lakes_retention_is_a_setting(monkeypatch, tmp_path):
    assert load_settings({}).lake_retention_days == 400
    assert load_settings({"JEUGDZORG_LAKE_RETENTION_DAYS": "30"}).lake_retention_days == 30
    for bad in ("0", "12.5", "een jaar", "40000"):
        with pytest.raises(SettingsError, match="JEUGDZORG_LAKE_RETENTION_DAYS"):
            load_settings({"JEUGDZORG_LAKE_RETENTION_DAYS": bad})
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_LAKE_RETENTION_DAYS", "90")
    assert warehouse_from_settings().lake_retention_days == 90
