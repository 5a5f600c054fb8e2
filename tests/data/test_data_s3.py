"""s3_object data nodes against a local S3-compatible server (moto) reached over HTTP."""

from __future__ import annotations

import pickle

import pytest

from scenaria import Scope
from scenaria.exceptions import DataNodeReadingError, DataNodeWritingError, MissingRequiredProperty
from tests.support.data_nodes import make_node


def s3_node(s3_bucket: dict, key: str = "folder/object.bin", **extra):
    return make_node(
        "s3_object",
        aws_access_key="test",
        aws_secret_access_key="test",
        aws_s3_bucket_name=s3_bucket["bucket"],
        aws_s3_object_key=key,
        aws_region="us-east-1",
        aws_s3_client_parameters={"endpoint_url": s3_bucket["endpoint"]},
        **extra,
    )


def test_s3_object_round_trip(s3_bucket):
    dn = s3_node(s3_bucket, aws_s3_object_parameters={"ContentType": "text/plain", "Metadata": {"by": "scenaria"}})
    assert dn.is_ready_for_reading  # always "written", as in the reference
    dn.write(b"\x00binary\xff")
    assert dn.read() == b"\x00binary\xff"
    dn.write("text é")
    assert dn.read() == "text é".encode()
    head = s3_bucket["client"].head_object(Bucket=s3_bucket["bucket"], Key="folder/object.bin")
    assert head["ContentType"] == "text/plain" and head["Metadata"] == {"by": "scenaria"}
    assert len(dn.edits) == 2

    copy = pickle.loads(pickle.dumps(dn))  # travels to a worker as properties, no client
    assert copy.read() == "text é".encode()


def test_every_aws_parameter_of_taipy_4_2(s3_bucket):
    """aws_s3_client_parameters, aws_s3_get_object_parameters and aws_s3_put_object_parameters, by name."""
    from scenaria import Config, create_global_data_node

    cfg = Config.configure_s3_object_data_node(
        "report",
        aws_access_key="test",
        aws_secret_access_key="test",
        aws_s3_bucket_name=s3_bucket["bucket"],
        aws_s3_object_key="report.txt",
        aws_region="us-east-1",
        scope=Scope.GLOBAL,
        aws_s3_client_parameters={"endpoint_url": s3_bucket["endpoint"]},
        aws_s3_get_object_parameters={"Range": "bytes=0-4"},
        aws_s3_put_object_parameters={"CacheControl": "max-age=86400"},
        aws_s3_object_parameters={"ContentType": "text/plain", "CacheControl": "no-cache"},  # 4.1's name
    )
    dn = create_global_data_node(cfg)
    dn.write(b"0123456789")
    assert dn.read() == b"01234"  # the Range of get_object
    head = s3_bucket["client"].head_object(Bucket=s3_bucket["bucket"], Key="report.txt")
    assert head["CacheControl"] == "max-age=86400"  # the 4.2 name wins over the 4.1 one
    assert head["ContentType"] == "text/plain"


def test_s3_object_errors_name_the_data_node(s3_bucket):
    missing = s3_node(s3_bucket, key="nothing/here")
    with pytest.raises(DataNodeReadingError, match=rf"{missing.id}.*s3://{s3_bucket['bucket']}/nothing/here"):
        missing.read()
    with pytest.raises(DataNodeWritingError, match="stores bytes"):
        missing.write({"a": 1})
    with pytest.raises(DataNodeReadingError):
        missing.read()  # nothing was written

    nowhere = make_node(
        "s3_object",
        aws_access_key="test",
        aws_secret_access_key="test",
        aws_s3_bucket_name="no-such-bucket",
        aws_s3_object_key="k",
        aws_s3_client_parameters={"endpoint_url": s3_bucket["endpoint"]},
        aws_region="us-east-1",
    )
    with pytest.raises(DataNodeWritingError, match="NoSuchBucket"):
        nowhere.write(b"x")


def test_s3_object_requires_its_properties():
    from scenaria.data.s3 import S3ObjectDataNode

    with pytest.raises(MissingRequiredProperty, match="aws_s3_object_key"):
        S3ObjectDataNode(
            "x",
            Scope.SCENARIO,
            properties={"aws_access_key": "a", "aws_secret_access_key": "b", "aws_s3_bucket_name": "c"},
        )
