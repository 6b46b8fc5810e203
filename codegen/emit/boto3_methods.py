"""boto3's own client methods, typed from one generic table: the methods whose pages
are no AWS operation (`upload_file`, `generate_presigned_url`, ...), and what they and
the streaming members take from the package's `_botocore.pyi` (docs/stubs.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit import docstrings
from codegen.tree import Operation


# boto3's own client methods (botocore.client.BaseClient, botocore.signers and
# boto3.s3.inject add them to the clients): their pages show the parameters, but
# neither that they are positional nor the return type. The table is generic: a method
# is typed so on whatever client has its page, and only when the page lists exactly these
# parameters (else the page's own keyword-only typing stands).
# tests/test_boto3_methods.py checks names, order and defaults against boto3's
# inspect.signature. The `_`-names are the package's _botocore.pyi (BOTO3_IMPORTS).
@dataclass(frozen=True, slots=True)
class Param:
    name: str
    annotation: str
    optional: bool = False  # has a default in boto3 (`= ...` in the stub)

    @property
    def text(self) -> str:
        return f"{self.name}: {self.annotation}" + (" = ..." if self.optional else "")


def _transfer(*required: tuple[str, str], extra_args: str, source_client: bool = False) -> tuple[Param, ...]:
    """The parameters of boto3's managed transfers (boto3.s3.inject)."""
    tail = [Param("ExtraArgs", f"{extra_args} | None", True), Param("Callback", "_TransferCallback | None", True)]
    if source_client:
        tail.append(Param("SourceClient", "_BaseClient | None", True))
    tail.append(Param("Config", "_TransferConfig | None", True))
    return (*(Param(n, a) for n, a in required), *tail)


BASE_METHODS: dict[str, tuple[tuple[Param, ...], str]] = {
    # name: (parameters after self, return type)
    "can_paginate": ((Param("operation_name", "str"),), "bool"),
    "close": ((), "None"),
    "generate_presigned_url": (
        (
            Param("ClientMethod", "str"),
            Param("Params", "Mapping[str, Any] | None", True),
            Param("ExpiresIn", "int", True),
            Param("HttpMethod", "str | None", True),
        ),
        "str",
    ),
    "generate_presigned_post": (
        (
            Param("Bucket", "str"),
            Param("Key", "str"),
            Param("Fields", "Mapping[str, Any] | None", True),
            Param("Conditions", "Sequence[Any] | None", True),
            Param("ExpiresIn", "int", True),
        ),
        "_PresignedPostTypeDef",
    ),
    # (rds and dsql: IAM auth tokens, presigned URLs like generate_presigned_url's)
    "generate_db_auth_token": (
        (
            Param("DBHostname", "str"),
            Param("Port", "int"),
            Param("DBUsername", "str"),
            Param("Region", "str | None", True),
        ),
        "str",
    ),
    **{
        name: ((Param("Hostname", "str"), Param("Region", "str | None", True), Param("ExpiresIn", "int", True)), "str")
        for name in ("generate_db_connect_auth_token", "generate_db_connect_admin_auth_token")
    },
    "upload_file": (
        _transfer(("Filename", "_FileName"), ("Bucket", "str"), ("Key", "str"), extra_args="_UploadExtraArgsTypeDef"),
        "None",
    ),
    "download_file": (
        _transfer(("Bucket", "str"), ("Key", "str"), ("Filename", "_FileName"), extra_args="_DownloadExtraArgsTypeDef"),
        "None",
    ),
    "upload_fileobj": (
        _transfer(("Fileobj", "_Readable"), ("Bucket", "str"), ("Key", "str"), extra_args="_UploadExtraArgsTypeDef"),
        "None",
    ),
    "download_fileobj": (
        _transfer(("Bucket", "str"), ("Key", "str"), ("Fileobj", "_Writable"), extra_args="_DownloadExtraArgsTypeDef"),
        "None",
    ),
    "copy": (
        _transfer(
            ("CopySource", "_CopySourceTypeDef"),
            ("Bucket", "str"),
            ("Key", "str"),
            extra_args="_CopyExtraArgsTypeDef",
            source_client=True,
        ),
        "None",
    ),
}

# The keys of `ExtraArgs` boto3's transfers accept (boto3.s3.transfer.S3Transfer.ALLOWED_*,
# checked against boto3 in the tests), with their types as the S3 operations they go to
# take them: a TypedDict each in _botocore.pyi, since boto3 refuses any other key.
_TIME = "datetime | str"
_CHECKSUMS = ("CRC32", "CRC32C", "CRC64NVME", "MD5", "SHA1", "SHA256", "SHA512", "XXHASH3", "XXHASH64", "XXHASH128")
_WRITE_ARGS: tuple[tuple[str, str], ...] = (
    *((k, "str") for k in ("ACL", "CacheControl", "ChecksumAlgorithm", "ContentDisposition", "ContentEncoding")),
    *((k, "str") for k in ("ContentLanguage", "ContentType", "ExpectedBucketOwner")),
    ("Expires", _TIME),
    *((k, "str") for k in ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWriteACP")),
    ("Metadata", "Mapping[str, str]"),
    ("ObjectLockLegalHoldStatus", "str"),
    ("ObjectLockMode", "str"),
    ("ObjectLockRetainUntilDate", _TIME),
    *((k, "str") for k in ("RequestPayer", "ServerSideEncryption", "StorageClass", "SSECustomerAlgorithm")),
    *((k, "str") for k in ("SSECustomerKey", "SSECustomerKeyMD5", "SSEKMSKeyId", "SSEKMSEncryptionContext")),
    ("Tagging", "str"),
    ("WebsiteRedirectLocation", "str"),
)
EXTRA_ARGS: dict[str, tuple[tuple[str, str], ...]] = {
    # TypedDict of _botocore.pyi: (key, type)
    "UploadExtraArgsTypeDef": (
        *_WRITE_ARGS,
        ("ChecksumType", "str"),
        ("MpuObjectSize", "int"),
        *((f"Checksum{c}", "str") for c in _CHECKSUMS),
    ),
    "DownloadExtraArgsTypeDef": tuple(
        (k, "str")
        for k in ("ChecksumMode", "VersionId", "SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5")
        + ("RequestPayer", "ExpectedBucketOwner")
    ),
    "CopyExtraArgsTypeDef": (
        *_WRITE_ARGS,
        ("CopySourceIfMatch", "str"),
        ("CopySourceIfModifiedSince", _TIME),
        ("CopySourceIfNoneMatch", "str"),
        ("CopySourceIfUnmodifiedSince", _TIME),
        *((k, "str") for k in ("CopySourceSSECustomerAlgorithm", "CopySourceSSECustomerKey")),
        *((k, "str") for k in ("CopySourceSSECustomerKeyMD5", "MetadataDirective", "TaggingDirective")),
        ("AnnotationDirective", "str"),
    ),
}

# How the client stub imports what these methods, `meta` and streaming members use
# from _botocore.pyi: (name there, local alias). (Underscored, as stubs.BOTOCORE_IMPORTS.)
BOTO3_IMPORTS = (
    ("ClientMeta", "_ClientMeta"),
    ("BaseClient", "_BaseClient"),
    ("TransferConfig", "_TransferConfig"),
    ("TransferCallback", "_TransferCallback"),
    ("FileName", "_FileName"),
    ("Readable", "_Readable"),
    ("Writable", "_Writable"),
    ("CopySourceTypeDef", "_CopySourceTypeDef"),
    ("PresignedPostTypeDef", "_PresignedPostTypeDef"),
    *((name, "_" + name) for name in EXTRA_ARGS),
    ("StreamingBody", "_StreamingBody"),
    ("EventStream", "_EventStream"),
)


@dataclass(frozen=True, slots=True)
class BaseMethodView:
    """One of boto3's own methods as the stub writes it (BASE_METHODS), with its page's text."""

    name: str
    params: tuple[Param, ...]
    returns: str
    doc: str
    param_docs: tuple[tuple[str, str], ...]

    @property
    def params_text(self) -> str:
        return ", ".join(["self", *(p.text for p in self.params)])


def base_method(op: Operation) -> BaseMethodView | None:
    """The table's typing of a page of boto3's own methods, None when the table has no
    entry or the page lists other parameters (a boto3 that changed the method)."""
    if op.api_name is not None or op.name not in BASE_METHODS:
        return None
    params, returns = BASE_METHODS[op.name]
    if [p.name for p in params] != [name for name, _ in op.input.members]:
        return None
    docs = tuple((name, docstrings.member_text(m.documentation, m.shape)) for name, m in op.input.members)
    return BaseMethodView(op.name, params, returns, op.documentation, docs)


# botocore adds these to every client (botocore.signers), but the reference has their
# page only for some services (generate_presigned_url: s3's): where a service's pages
# have none, the stub still types them, from the table, without the page's text.
EVERY_CLIENT = ("generate_presigned_url",)


def unpaged_methods(paged: set[str]) -> list[BaseMethodView]:
    """The EVERY_CLIENT methods no page of the service documents (`paged`: the names of
    boto3's own methods its pages have)."""
    views = []
    for name in EVERY_CLIENT:
        if name not in paged:
            params, returns = BASE_METHODS[name]
            doc = f"botocore's `{name}`, which every client has (no page of this service documents it)."
            views.append(BaseMethodView(name, params, returns, doc, ()))
    return views

