"""A GeoReport v2 client written from the Open311 specification (wiki.open311.org/GeoReport_v2):
`{endpoint}/{resource}.json`, parameters in the query (GET) or form-encoded body (POST), every
answer a JSON array (the service definition an object), errors `[{"code", "description"}]`. It
knows nothing of the portal beyond the endpoint's address; it checks the shapes the specification
promises, so a response that breaks them fails the test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]):
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


@dataclass
class GeoReportClient:
    http: Any  # anything with get(path, data) / post(path, data) returning status_code and content
    endpoint: str = "/open311/v2"
    api_key: str | None = None

    def _answer(self, response, expected: int = 200):
        body = response.json()
        if response.status_code != expected:
            assert isinstance(body, list) and body, body
            for error in body:
                assert set(error) == {"code", "description"} and error["code"] == response.status_code
            raise GeoReportError(response.status_code, body)
        return body

    def services(self) -> list[dict]:
        body = self._answer(self.http.get(f"{self.endpoint}/services.json"))
        assert isinstance(body, list)
        for service in body:
            assert set(service) >= SERVICE_FIELDS
            assert service["type"] in ("realtime", "batch", "blackbox")
        return body

    def service_definition(self, service_code: str) -> dict:
        body = self._answer(self.http.get(f"{self.endpoint}/services/{service_code}.json"))
        assert body["service_code"] == service_code
        for attribute in body["attributes"]:
            assert {"variable", "code", "datatype", "required", "order", "description"} <= set(attribute)
            if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
                assert all(set(value) == {"key", "name"} for value in attribute["values"])
        return body

    def post_request(self, service_code: str, *, attributes: dict[str, str] | None = None, **fields) -> dict:
        data = {"service_code": service_code, **fields}
        if self.api_key is not None:
            data["api_key"] = self.api_key
        for code, value in (attributes or {}).items():
            data[f"attribute[{code}]"] = value
        body = self._answer(self.http.post(f"{self.endpoint}/requests.json", data), expected=201)
        assert isinstance(body, list) and len(body) == 1
        assert "service_request_id" in body[0] or "token" in body[0]
        return body[0]

    def _params(self, params: dict) -> dict:
        # The specification asks for the key on POST; this server also reads it on GET (more detail).
        return {**params, "api_key": self.api_key} if self.api_key is not None else params

    def requests(self, **params) -> list[dict]:
        params = self._params(params)
        body = self._answer(self.http.get(f"{self.endpoint}/requests.json", params))
        for row in body:
            self._check_request(row)
        return body

    def request(self, service_request_id: str, **params) -> dict:
        params = self._params(params)
        body = self._answer(self.http.get(f"{self.endpoint}/requests/{service_request_id}.json", params))
        assert isinstance(body, list) and len(body) == 1
        self._check_request(body[0])
        return body[0]

    def token(self, token: str) -> dict:
        body = self._answer(self.http.get(f"{self.endpoint}/tokens/{token}.json"))
        assert isinstance(body, list) and len(body) == 1
        assert set(body[0]) >= {"service_request_id", "token"}
        return body[0]

    @staticmethod
    def _check_request(row: dict) -> None:
        assert set(row) >= REQUEST_FIELDS, REQUEST_FIELDS - set(row)
        assert row["status"] in ("open", "closed")
