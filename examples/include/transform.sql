-- One day's homes, summarised by number of rooms. Re-running the day replaces its rows.
DELETE FROM homes_summary WHERE ds = '{{ ds }}';

INSERT INTO homes_summary (ds, rooms, homes, avg_list_price, avg_sell_price)
SELECT '{{ ds }}', rooms, COUNT(*), AVG(list_price), AVG(sell_price)
FROM homes_raw
WHERE source_file LIKE '%/{{ ds_nodash }}/%'
GROUP BY rooms;
