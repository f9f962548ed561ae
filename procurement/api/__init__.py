"""The versioned JSON API (/api/v1) with its OpenAPI description."""
