"""Train one model per configuration of a grid, in parallel, then keep the best.

    chordflow run examples/ml_multimodel.py --wait

load_data -> preprocess -> feature_engineering -> train.partial(features).expand(model_config=...)
over examples/include/grid_configs.py (a grid search per model) -> pick_best, the reduce.

The data set ships with scikit-learn (breast cancer diagnostics: 569 samples, 30 features), so
nothing is downloaded. DataFrames pass between tasks as they are: the XCom object store keeps
them as Parquet under ``CHORDFLOW_XCOM_OBJECTS_URL`` (a folder by default, ``s3://...`` for
workers on several hosts), with a reference row in the XCom table. Each ``train`` instance also
pushes its metrics as the XCom ``metrics``: ``chordflow xcom get RUN train --key metrics``.
"""
import importlib
import importlib.util
from datetime import datetime
from pathlib import Path

from orchestrator import dag, get_current_context, task

TARGET = "target"
SEED = 42


def _grid_configs() -> list[dict]:
    """examples/include/grid_configs.py, found beside this file wherever it is run from."""
    path = Path(__file__).resolve().parent / "include" / "grid_configs.py"
    spec = importlib.util.spec_from_file_location("chordflow_example_grid_configs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.GRID_CONFIGS


@task
def load_data():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True).frame


@task
def preprocess(frame):
    """Column names as identifiers, no duplicate rows, no missing values."""
    frame = frame.rename(columns=lambda c: c.strip().lower().replace(" ", "_"))
    frame = frame.drop_duplicates().dropna()
    print(f"{len(frame)} rows, {frame.shape[1] - 1} features, classes {frame[TARGET].value_counts().to_dict()}")
    return frame.reset_index(drop=True)


@task
def feature_engineering(frame):
    """Shape ratios a radiologist would look at, on top of the measured features."""
    frame = frame.copy()
    frame["compactness_ratio"] = frame["mean_perimeter"] ** 2 / frame["mean_area"]
    frame["worst_to_mean_area"] = frame["worst_area"] / frame["mean_area"]
    frame["texture_spread"] = frame["worst_texture"] - frame["mean_texture"]
    return frame


@task
def train(features, model_config: dict) -> dict:
    """A grid search (5-fold, F1) of one model; scored on a held-out fifth of the data."""
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    module, _, name = model_config["estimator"].rpartition(".")
    estimator = getattr(importlib.import_module(module), name)(**model_config["fixed"])
    x, y = features.drop(columns=[TARGET]), features[TARGET]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
    grid = {f"model__{key}": values for key, values in model_config["param_grid"].items()}
    pipeline = Pipeline([("scale", StandardScaler()), ("model", estimator)])
    search = GridSearchCV(pipeline, grid, cv=5, scoring="f1", n_jobs=1)
    search.fit(x_train, y_train)
    predicted = search.predict(x_test)
    model = search.best_estimator_
    raw = model.decision_function(x_test) if hasattr(model, "decision_function") else model.predict_proba(x_test)
    metrics = {
        "cv_f1": round(float(search.best_score_), 4),
        "test_f1": round(float(f1_score(y_test, predicted)), 4),
        "test_accuracy": round(float(accuracy_score(y_test, predicted)), 4),
        "test_roc_auc": round(float(roc_auc_score(y_test, raw if raw.ndim == 1 else raw[:, 1])), 4),
        "candidates": len(search.cv_results_["params"]),
    }
    best_params = {key.removeprefix("model__"): value for key, value in search.best_params_.items()}
    print(f"{model_config['name']}: best {best_params} -> {metrics}")
    get_current_context()["ti"].xcom_push(key="metrics", value=metrics)
    return {"model": model_config["name"], "best_params": best_params, **metrics}


@task
def pick_best(results) -> dict:
    """The model with the best test F1 (cross-validated F1 breaks ties)."""
    ranking = sorted(results, key=lambda r: (r["test_f1"], r["cv_f1"]), reverse=True)
    if not ranking:
        raise ValueError("no model trained successfully")
    for place, result in enumerate(ranking, start=1):
        print(f"{place}. {result['model']}: test F1 {result['test_f1']}, CV F1 {result['cv_f1']}")
    best = ranking[0]
    return {"best_model": best["model"], "best_params": best["best_params"], "test_f1": best["test_f1"],
            "ranking": [r["model"] for r in ranking]}


@dag(dag_id="ml_multimodel", schedule=None, start_date=datetime(2022, 4, 1), tags=["example", "ml"])
def ml_multimodel():
    features = feature_engineering(preprocess(load_data()))
    pick_best(train.partial(features=features).expand(model_config=_grid_configs()))


ml_multimodel()
