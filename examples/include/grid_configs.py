"""The model grid of examples/ml_multimodel.py: one mapped ``train`` instance per entry.

Each entry names a scikit-learn estimator by import path, its fixed arguments and the grid its
grid search explores. Entries are JSON (they travel as mapped arguments).
"""

GRID_CONFIGS = [
    {
        "name": "logistic_regression",
        "estimator": "sklearn.linear_model.LogisticRegression",
        "fixed": {"max_iter": 5000},
        "param_grid": {"C": [0.01, 0.1, 1.0, 10.0]},
    },
    {
        "name": "random_forest",
        "estimator": "sklearn.ensemble.RandomForestClassifier",
        "fixed": {"n_estimators": 40, "random_state": 0},
        "param_grid": {"max_depth": [4, None], "min_samples_leaf": [1, 3]},
    },
    {
        "name": "gradient_boosting",
        "estimator": "sklearn.ensemble.GradientBoostingClassifier",
        "fixed": {"random_state": 0, "learning_rate": 0.1},
        "param_grid": {"n_estimators": [40, 80]},
    },
    {
        "name": "support_vector_machine",
        "estimator": "sklearn.svm.SVC",
        "fixed": {},
        "param_grid": {"C": [0.5, 1.0, 4.0], "kernel": ["rbf", "linear"]},
    },
    {
        "name": "k_nearest_neighbours",
        "estimator": "sklearn.neighbors.KNeighborsClassifier",
        "fixed": {},
        "param_grid": {"n_neighbors": [3, 7, 15], "weights": ["uniform", "distance"]},
    },
]
