#!/usr/bin/env python3
"""Checks of the edge's OpenAPI document, run by Tests/EdgeTests/OpenAPIContractTests.swift.

  validate FILE...            each file validates as OpenAPI 3.1 (openapi-spec-validator)
  schemathesis URL            schemathesis, default checks, against URL/openapi.json (bounded)
  differential URL            every operation called with a request built from the document's
                              examples succeeds, and its response validates against the schema
  docs-page URL SCREENSHOT [QUERY]
                              the /docs page in headless Chromium (selenium); QUERY (?api_key=…)
                              is added to the page's address (a restricted document)

Each prints what it checked and exits non-zero on the first failure.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def validate(files):
    from openapi_spec_validator import validate as check
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator

    for path in files:
        with open(path) as f:
            document = json.load(f)
        if document.get("openapi") != "3.1.0":
            sys.exit(f"{path}: openapi is {document.get('openapi')!r}, not 3.1.0")
        check(document, cls=OpenAPIV31SpecValidator)
        operations = sum(
            1 for item in document["paths"].values() for method in item
            if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"))
        print(f"valid OpenAPI 3.1: {path} ({operations} operations)")


def schemathesis(url, seconds):
    """Runs the CLI with its default checks (all of them), phases examples, coverage and fuzzing.
    /v1/debug/* fail on purpose and are left out; the config file names each exception."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", os.path.join(HERE, "schemathesis.toml"),
        "run", url + "/openapi.json",
        "--exclude-path-regex", "^/v1/debug",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "40", "--request-timeout", "10", "--seed", "7",
        "--max-time", str(seconds),
    ]
    environment = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
                       PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, env=environment)
    out = result.stdout + result.stderr
    print(out)
    if result.returncode != 0:
        sys.exit(f"schemathesis failed (exit {result.returncode})")
    import re
    match = re.search(r"(\d+) generated, (\d+) passed", out)
    if not match or match.group(1) != match.group(2) or int(match.group(1)) < 200:
        sys.exit("schemathesis: expected every generated case to pass, and at least 200 cases")
    print(f"schemathesis: {match.group(1)} cases, all passed")


# --- differential: examples -> request -> response validates ---------------------------

def resolve(document, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = document["components"]["schemas"][name]
    return schema


def example_of(document, schema, depth=0):
    """A value for `schema`: its example, else one built from its type (required members only)."""
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return example_of(document, resolve(document, schema), depth)
    if "anyOf" in schema:
        return example_of(document, schema["anyOf"][0], depth)
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        named = [v for v in values if not str(v).endswith("UNSPECIFIED")]
        return (named or values)[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = [k for k in kind if k != "null"][0]
    if kind == "object":
        result = {}
        for name, member in schema.get("properties", {}).items():
            resolved = resolve(document, member.get("anyOf", [member])[0]) if isinstance(member, dict) else member
            if name in schema.get("required", []) or "example" in member or (isinstance(resolved, dict) and "example" in resolved):
                if depth < 4:
                    result[name] = example_of(document, member, depth + 1)
        return result
    if kind == "array":
        return [example_of(document, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") in ("int64", "uint64"):
            return "1"
        if schema.get("format") == "date-time":
            return "2024-01-01T00:00:00Z"
        if schema.get("format") == "binary":
            return "example bytes"
        return "example"
    return None


def parameter_example(document, parameter):
    if "example" in parameter:
        return parameter["example"]
    return example_of(document, parameter.get("schema", {}))


def validator_for(document, schema):
    from jsonschema import Draft202012Validator

    root = dict(schema)
    root["components"] = document["components"]
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def call(method, url, body, content_type, accept=None):
    request = urllib.request.Request(url, data=body, method=method.upper())
    if content_type:
        request.add_header("Content-Type", content_type)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


# Fail on purpose: Flaky fails its first calls with a key (the retry-test method).
DIFFERENTIAL_SKIP = {"Bookstore_Flaky", "Bookstore_Flaky_2"}


def differential(url):
    with urllib.request.urlopen(url + "/openapi.json") as response:
        document = json.load(response)
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations.append((path, method, operation))
    # Deletions last (books before shelves), so every other call still finds the seeded store.
    order = {"delete": 2}
    operations.sort(key=lambda o: (order.get(o[1], 0), "Shelf" in o[2]["operationId"]))
    checked = 0
    for path, method, operation in operations:
        name = operation["operationId"]
        if name in DIFFERENTIAL_SKIP:
            print(f"skip {name}: fails on purpose")
            continue
        target = path
        query = []
        for parameter in operation.get("parameters", []):
            value = parameter_example(document, parameter)
            if parameter["in"] == "path":
                target = target.replace("{" + parameter["name"] + "}", urllib.parse.quote(str(value), safe=""))
            elif parameter["in"] == "query" and ("example" in parameter or "example" in resolve(document, parameter.get("schema", {}))):
                if isinstance(value, bool):
                    value = "true" if value else "false"
                query.append((parameter["name"], str(value)))
        if query:
            target += "?" + urllib.parse.urlencode(query)
        body = None
        content_type = None
        request_body = operation.get("requestBody")
        if request_body:
            content = request_body["content"]
            if "application/json" in content:
                content_type = "application/json"
                schema = content["application/json"]["schema"]
                body = json.dumps(example_of(document, schema)).encode()
            else:
                content_type = "application/octet-stream"
                body = b"\x89PNG example bytes"
        status, response_type, payload = call(method, url + target, body, content_type)
        if status != 200:
            sys.exit(f"{name} {method.upper()} {target}: {status} {payload[:300]!r}")
        if method == "head":
            print(f"ok {name}: HEAD {target} -> 200")
            checked += 1
            continue
        documented = operation["responses"]["200"].get("content", {})
        media = response_type.split(";")[0].strip()
        if media in documented:
            schema = documented[media].get("schema")
        elif "*/*" in documented:
            schema = None
            if not payload:
                sys.exit(f"{name}: empty raw body")
        else:
            sys.exit(f"{name}: response content type {response_type!r} is not documented ({list(documented)})")
        if schema is not None and media in ("application/json", "application/x-ndjson"):
            validator = validator_for(document, schema)
            items = [payload] if media == "application/json" else [line for line in payload.split(b"\n") if line.strip()]
            for item in items:
                value = json.loads(item)
                errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
                if errors:
                    sys.exit(f"{name}: response does not validate: {errors[0].message} at {list(errors[0].path)}\n{item[:400]!r}")
        print(f"ok {name}: {method.upper()} {target} -> 200 {media}, {len(payload)} bytes, valid")
        checked += 1
    print(f"differential: {checked} operations called from the document's examples, all valid")


# --- the docs page in headless Chromium ---------------------------------------------------

def docs_page(url, screenshot, query=""):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,2400"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        # `query` (e.g. "?api_key=…") opens a page whose document is restricted (openapi.auth).
        driver.get(url + "/docs" + query)
        wait = WebDriverWait(driver, 30)
        wait.until(conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
        summaries = [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
        with urllib.request.urlopen(url + "/openapi.json" + query) as response:
            document = json.load(response)
        expected = {path for path in document["paths"]}
        shown = {text.replace("\u200b", "").strip() for text in summaries}
        missing = sorted(expected - shown)
        if missing:
            sys.exit(f"docs page: operations not listed: {missing} (shown: {sorted(shown)[:10]})")
        print(f"docs page lists {len(summaries)} operations on {len(shown)} paths")

        # Try it out: GET /v1/shelves/{shelf}/books/{book} with shelf 1, book 1.
        block_id = "operations-Bookstore-Bookstore_GetBook"
        block = wait.until(conditions.presence_of_element_located((By.ID, block_id)))
        driver.execute_script("arguments[0].scrollIntoView(true);", block)
        block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
        wait.until(lambda d: block.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
        block.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
        for row in block.find_elements(By.CSS_SELECTOR, "tr[data-param-name]"):
            if row.get_attribute("data-param-in") == "path":
                field = row.find_element(By.CSS_SELECTOR, "input")
                field.clear()
                field.send_keys("1")
        block.find_element(By.CSS_SELECTOR, ".execute").click()
        wait.until(lambda d: block.find_elements(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status"))
        status = block.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status").text.strip()
        body = block.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_description pre").text
        if status != "200" or '"title": "Dune"' not in body and '"title":"Dune"' not in body:
            sys.exit(f"try it out: status {status!r}, body {body[:300]!r}")
        print(f"try it out: GET /v1/shelves/1/books/1 -> {status}, the book's JSON (Dune)")
        os.makedirs(os.path.dirname(screenshot), exist_ok=True)
        driver.save_screenshot(screenshot)
        print(f"screenshot: {screenshot}")

        failed = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.loadingFailed":
                failed.append(message["params"].get("errorText", "?"))
            elif message["method"] == "Network.responseReceived":
                response = message["params"]["response"]
                if response["status"] >= 400:
                    failed.append(f"{response['status']} {response['url']}")
        if failed:
            sys.exit(f"docs page: failed requests: {failed}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            sys.exit(f"docs page: console errors: {errors}")
        print("docs page: no failed requests, no console errors")
    finally:
        driver.quit()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "validate":
        validate(arguments)
    elif command == "schemathesis":
        schemathesis(arguments[0], int(arguments[1]) if len(arguments) > 1 else 150)
    elif command == "differential":
        differential(arguments[0])
    elif command == "docs-page":
        docs_page(arguments[0], arguments[1], arguments[2] if len(arguments) > 2 else "")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
