from tests.service.test_service import serve  # noqa: F401  (the fixture, for the other test modules)
