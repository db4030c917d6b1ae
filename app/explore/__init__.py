"""The reference explorer: HTML pages under /explore for people who will never call an API.

It reads data only through the query layer the /v1 routes use (app/explore/data.py), so it
never shows a number the API would not give; its routes stay out of the OpenAPI document.
"""
