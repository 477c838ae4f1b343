SELECT * FROM orders WHERE day = '{{ ds }}';
