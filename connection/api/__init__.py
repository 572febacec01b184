"""API of the connection domain: serializers, views, filters, urls."""
