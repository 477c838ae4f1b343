echo "script {{ ti.map_index }} for {{ params.who }}"
