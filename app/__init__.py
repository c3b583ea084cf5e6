"""huzhu's interactive village, a Solara app served by ``huzhu app``.

`page` (the page), `components` (sidebar and village view), `levers` (the policy
levers and their hover notes), `map_widget` with `map.vue` (the land map drawn in
the browser), `views` (map and chart data from a model), `state` (a browser
session's villages).
"""
