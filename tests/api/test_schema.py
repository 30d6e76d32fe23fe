"""The OpenAPI schema (api/schema.py): one tag per resource, Chinese, errors documented."""

import re

import pytest

from api.schema import RESOURCES

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_has_one_resource_tag_and_a_chinese_summary(schema):
    tags = {tag["name"]: tag.get("description", "") for tag in schema["tags"]}
    assert "v1" not in tags
    for path, method, operation in _operations(schema):
        [tag] = operation["tags"]
        assert path.startswith(f"/api/v1/{tag}/") or path == f"/api/v1/{tag}", path
        assert tag in RESOURCES and CJK.search(tags[tag]), tag
        assert CJK.search(operation.get("summary", "")), (method, path)
        description = operation.get("description", "")
        assert not description or CJK.search(description), (method, path)


def test_every_description_in_the_schema_is_chinese(schema):
    english = []

    def visit(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    if value.strip() and not CJK.search(value):
                        english.append((path, value[:60]))
                visit(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{path}[{index}]")

    visit(schema, "")
    assert english == []


def test_a_missing_object_is_a_chinese_404_naming_no_model(world, client_for):
    client = client_for(world.admin)
    for path in ("/api/v1/report-periods/999999/", "/api/v1/batches/999999/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}, path


def test_no_internal_file_names_in_the_schema(schema, client):
    text = client.get("/api/schema/?format=json").content.decode()
    for internal in ("seed-forms.json", ".py", "seeds/"):
        assert internal not in text


def test_errors_are_documented_as_json_with_a_detail(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for code in ("404", "429"):
            assert "application/json" in responses[code]["content"], (path, code)
        if method in ("post", "put", "patch"):
            assert {"400", "413"} <= responses.keys(), (method, path)
        public = (
            path == "/api/v1/auth/token/"
            or path.startswith(("/api/v1/scan/", "/api/v1/catalogue/"))
            or (path == "/api/v1/objections/" and method == "post")
        )
        if path == "/api/v1/cabinet-sales/":
            assert "401" in responses  # a device's signature, not a login
        elif not public:
            assert {"401", "403"} <= responses.keys(), (method, path)
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["detail"]


def test_nullable_fields_and_downloads_are_documented_as_they_are(schema):
    components = schema["components"]["schemas"]
    inspection = components["Inspection"]["properties"]
    for name in ("signed_by", "outlet_name", "region_name"):
        assert inspection[name].get("nullable") is True, name
    assert components["PrintJob"]["properties"]["requested_by"]["nullable"] is True
    pdf = schema["paths"]["/api/v1/print-jobs/{id}/pdf/"]["get"]["responses"]["200"]
    assert set(pdf["content"]) == {"application/pdf", "application/zip"}
    void = schema["paths"]["/api/v1/print-jobs/{id}/void/"]["post"]["responses"]
    assert void["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VoidResult"
    }


def test_an_unrouted_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/batches/-1/certificate/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}
    assert "<html" in client.get("/no-such-page/").content.decode().lower()


def test_an_error_is_json_whatever_format_was_asked(world, client_for):
    response = client_for(world.operator_b).get(
        f"/api/v1/batches/{world.batch_a.pk}/epcis/?format=jsonld"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def _success_schema(schema, path, method, status="200"):
    content = schema["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def test_print_job_creation_documents_its_body_and_its_202(schema):
    """Issue 34: POST print-jobs/ had no documented body and said 201."""
    operation = schema["paths"]["/api/v1/print-jobs/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"batch", "template", "count"} <= set(component["properties"])
    assert "202" in operation["responses"] and "201" not in operation["responses"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalogue-entries/{id}/availability/",
        "/api/v1/catalogue-entries/{id}/steps/",
    ],
)
def test_plain_lists_are_documented_as_arrays_not_pages(schema, path):
    assert _success_schema(schema, path, "get")["type"] == "array"


def test_a_periods_status_is_documented_as_counts_and_regions(schema):
    ref = _success_schema(schema, "/api/v1/report-periods/{id}/status/", "get")
    component = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    assert set(component["properties"]) == {"counts", "regions"}
    assert component["properties"]["regions"]["type"] == "array"


def test_voiding_labels_documents_the_one_content_type_it_reads(
    schema, world, client_for
):
    operation = schema["paths"]["/api/v1/labels/void/"]["post"]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    form = client_for(world.admin).post(
        "/api/v1/labels/void/", {"serials": ["X"], "reason": "r"}, format="multipart"
    )
    assert form.status_code == 415
