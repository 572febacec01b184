"""OpenAPI generation settings and extensions (drf-spectacular) and the committed openapi.yaml."""
