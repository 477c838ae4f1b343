-- The warehouse tables of examples/mapping_elt.py (PostgreSQL and SQLite alike).
CREATE TABLE IF NOT EXISTS homes_raw (
    sell_price INTEGER,
    list_price INTEGER,
    living_sqft INTEGER,
    rooms INTEGER,
    beds INTEGER,
    baths REAL,
    age INTEGER,
    acres REAL,
    taxes INTEGER,
    source_file TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS homes_summary (
    ds TEXT NOT NULL,
    rooms INTEGER NOT NULL,
    homes INTEGER NOT NULL,
    avg_list_price REAL,
    avg_sell_price REAL
);
