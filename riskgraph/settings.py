"""The one typed settings object. Nothing else in riskgraph reads ``os.environ``.

``RISKGRAPH_*`` variables configure riskgraph itself; ``NEO4J_*`` follow the names the Neo4j
tooling uses, so the same environment serves docker compose, cypher-shell and riskgraph.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from riskgraph.i18n.locale import Locale, parse_locale


def _env(name: str) -> AliasChoices:
    """Read a field from exactly this environment variable (no prefix guessing)."""
    return AliasChoices(name)


class Settings(BaseSettings):
    """Runtime configuration, read once from the environment (and an optional ``.env``)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # --- the embedded-default Neo4j that `riskgraph db start` runs --------------------------
    neo4j_dir: Path = Field(
        default=Path(".riskgraph/neo4j"),
        validation_alias=_env("RISKGRAPH_NEO4J_DIR"),
        description="Home of the embedded Neo4j: store, logs, plugins, launcher build.",
    )
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "riskgraph",
        validation_alias=_env("RISKGRAPH_CACHE_DIR"),
        description="Builds shared by every data dir (the compiled Neo4j launcher).",
    )
    neo4j_host: str = Field(default="127.0.0.1", validation_alias=_env("RISKGRAPH_NEO4J_HOST"))
    neo4j_port: int = Field(
        default=7687, ge=1, le=65535, validation_alias=_env("RISKGRAPH_NEO4J_PORT")
    )
    neo4j_heap: str = Field(
        default="2g",
        pattern=r"^\d+[kmgKMG]$",
        validation_alias=_env("RISKGRAPH_NEO4J_HEAP"),
        description="JVM heap (-Xms/-Xmx) of the embedded server.",
    )
    neo4j_pagecache: str = Field(
        default="1g",
        pattern=r"^\d+[kmgKMG]$",
        validation_alias=_env("RISKGRAPH_NEO4J_PAGECACHE"),
        description="Page cache for the store files; the province fits in about 2g.",
    )
    neo4j_apoc: bool = Field(
        default=False,
        validation_alias=_env("RISKGRAPH_NEO4J_APOC"),
        description="Load APOC core, allow-listed to the procedures riskgraph calls (only "
        "apoc.version(), for `db status`): off by default, nothing needs it.",
    )
    neo4j_tls_cert: Path | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_NEO4J_TLS_CERT"),
        description="PEM certificate (chain) of the embedded server's Bolt TLS; with "
        "RISKGRAPH_NEO4J_TLS_KEY, Bolt accepts only TLS connections. Required to listen "
        "beyond loopback.",
    )
    neo4j_tls_key: Path | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_NEO4J_TLS_KEY"),
        description="PKCS#8 PEM private key (unencrypted) matching RISKGRAPH_NEO4J_TLS_CERT.",
    )
    neo4j_tls_verify: bool = Field(
        default=True,
        validation_alias=_env("RISKGRAPH_NEO4J_TLS_VERIFY"),
        description="With TLS on, check the server's certificate against the system CAs "
        "(bolt+s); false accepts a self-signed one, still encrypted (bolt+ssc).",
    )
    neo4j_tx_timeout_s: int = Field(
        default=600,
        ge=0,
        le=7 * 24 * 3600,
        validation_alias=_env("RISKGRAPH_NEO4J_TX_TIMEOUT_S"),
        description="Neo4j ends a transaction that runs longer (db.transaction.timeout); "
        "generous for ingest and write-back batches, 0 for no limit.",
    )
    neo4j_tx_memory: str = Field(
        default="50%",
        pattern=r"^(\d+[kmgKMG]|([1-9]\d?|100)%)$",
        validation_alias=_env("RISKGRAPH_NEO4J_TX_MEMORY"),
        description="Most heap one transaction may take (db.memory.transaction.max): a size "
        "(2g) or a share of RISKGRAPH_NEO4J_HEAP (50%); past it the transaction fails, not "
        "the server.",
    )
    neo4j_start_timeout_s: float = Field(
        default=120.0, gt=0, validation_alias=_env("RISKGRAPH_NEO4J_START_TIMEOUT")
    )
    java: str = Field(default="java", validation_alias=_env("RISKGRAPH_JAVA"))
    mvn: str = Field(default="mvn", validation_alias=_env("RISKGRAPH_MVN"))

    # --- ingest ------------------------------------------------------------------------
    ingest_batch_size: int = Field(
        default=5000, ge=1, le=100_000, validation_alias=_env("RISKGRAPH_INGEST_BATCH_SIZE")
    )
    id_key: SecretStr | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_ID_KEY"),
        description="HMAC key of the resident-ID hashes (a long random secret). Unset, the "
        "key file is used.",
    )
    id_key_file: Path | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_ID_KEY_FILE"),
        description="File holding the HMAC key of the resident-ID hashes; default "
        "keys/id-key beside the embedded server's folder (made on first use, mode 0600), "
        "never inside Neo4j's own data folder.",
    )

    # --- risk levels (金鹰: red >= 80, orange 60-80, yellow 40-60) ---------------------------
    level_red: float = Field(
        default=80.0, ge=0, le=100, validation_alias=_env("RISKGRAPH_LEVEL_RED")
    )
    level_orange: float = Field(
        default=60.0, ge=0, le=100, validation_alias=_env("RISKGRAPH_LEVEL_ORANGE")
    )
    level_yellow: float = Field(
        default=40.0, ge=0, le=100, validation_alias=_env("RISKGRAPH_LEVEL_YELLOW")
    )
    calibration: Path = Field(
        default=Path(".riskgraph/calibration.json"),
        validation_alias=_env("RISKGRAPH_CALIBRATION"),
        description="The back-test's fitted parameters (relationship weights, the combination "
        "of the components, each level's observed failure rate): `riskgraph calibrate` "
        "writes it; every analysis applies what it kept. Remove it to go back to the "
        "hand-set values.",
    )

    # --- language ----------------------------------------------------------------------------
    locale: Locale = Field(
        default=Locale.ZH_CN,
        validation_alias=_env("RISKGRAPH_LOCALE"),
        description="Language of reasons, levels, pages and CLI tables: zh-CN (default) or en; "
        "the API follows each request's Accept-Language.",
    )

    @field_validator("locale", mode="before")
    @classmethod
    def _locale(cls, value: object) -> object:
        """zh, zh_CN, zh-Hans-CN and en-US are fine spellings too."""
        return parse_locale(value) or value if isinstance(value, str) else value

    # --- the GNN (riskgraph gnn) ---------------------------------------------------------------
    gnn_model: Path = Field(
        default=Path(".riskgraph/models/gnn.pt"),
        validation_alias=_env("RISKGRAPH_GNN_MODEL"),
        description="The trained GNN: `riskgraph gnn train` writes it; `analyze` uses it when "
        "it exists (its score component), `gnn predict` and `gnn explain` need it.",
    )
    gnn_any_graph: bool = Field(
        default=False,
        validation_alias=_env("RISKGRAPH_GNN_ANY_GRAPH"),
        description="Apply the model at RISKGRAPH_GNN_MODEL even when it was trained on "
        "another graph (or records none). Off: such a model is refused (analyze scores with "
        "the rules only and says so; gnn predict and explain stop), as a model trained on "
        "one data set can lower the scores of another; `--model FILE` uses a file anyway.",
    )
    gnn_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        validation_alias=_env("RISKGRAPH_GNN_THREADS"),
        description="torch threads for training and inference (1 is often fastest on a small "
        "or shared machine).",
    )
    gnn_batch: int = Field(
        default=50_000,
        ge=0,
        validation_alias=_env("RISKGRAPH_GNN_BATCH"),
        description="Nodes per batch of GNN inference, which runs layer by layer, each batch "
        "on its one-hop field, so the edges' messages are held for one batch at a time; 0: one "
        "pass over the whole graph (faster where the memory is there, as on a GPU).",
    )

    # --- runs (riskgraph analyze, riskgraph daily) ------------------------------------------
    runs_dir: Path = Field(
        default=Path(".riskgraph/runs"),
        validation_alias=_env("RISKGRAPH_RUNS_DIR"),
        description="Where each analysis run saves what the API serves (its state, its "
        "scores); API workers load the current run from here.",
    )
    runs_keep: int = Field(
        default=7,
        ge=2,
        le=1000,
        validation_alias=_env("RISKGRAPH_RUNS_KEEP"),
        description="Saved runs kept (the newest; the graph keeps every run's rings).",
    )
    run_poll_s: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        validation_alias=_env("RISKGRAPH_RUN_POLL_S"),
        description="How often each API worker checks for a new current run.",
    )
    lock_file: Path = Field(
        default=Path(".riskgraph/pipeline.lock"),
        validation_alias=_env("RISKGRAPH_LOCK_FILE"),
        description="The lock ingest, analyze and daily hold, so they never overlap.",
    )

    # --- the HTTP API (riskgraph serve) -----------------------------------------------------
    api_keys: SecretStr | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_API_KEYS"),
        description="API keys with their roles, comma-separated role:key pairs "
        "(viewer:..., analyst:..., admin:...). None is built in: unset, every request is refused.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_API_KEYS_FILE"),
        description="A file holding RISKGRAPH_API_KEYS (a Docker or Kubernetes secret); a "
        "trailing newline is ignored.",
    )
    session_ttl_s: int = Field(
        default=8 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        validation_alias=_env("RISKGRAPH_SESSION_TTL_S"),
        description="How long a web app sign-in lasts (seconds; default a working day).",
    )
    cookie_secure: bool | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_COOKIE_SECURE"),
        description="Mark the web app's session cookie Secure: true behind a TLS proxy; unset, "
        "only when the request itself came over https.",
    )
    chromium: Path | None = Field(
        default=None,
        validation_alias=_env("RISKGRAPH_CHROMIUM"),
        description="A Chromium binary for PDFs; unset, `make chromium`'s or one on PATH.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=1_073_741_824,
        validation_alias=_env("RISKGRAPH_MAX_BODY_BYTES"),
        description="Largest request body the API reads (bytes); larger ones get 413 unread.",
    )
    max_in_flight: int = Field(
        default=64,
        ge=1,
        le=10_000,
        validation_alias=_env("RISKGRAPH_MAX_IN_FLIGHT"),
        description="Requests one API worker answers at once; past that, 503 at once.",
    )
    rate_limit: str = Field(
        default="600/minute",
        validation_alias=_env("RISKGRAPH_RATE_LIMIT"),
        description="Requests per API key (or per client address without one), per worker, "
        "as the limits library writes them: '600/minute', '20/second;600/minute'.",
    )
    audit_max_bytes: int = Field(
        default=50_000_000,
        ge=10_000,
        validation_alias=_env("RISKGRAPH_AUDIT_MAX_BYTES"),
        description="Size at which the audit log is rotated (bytes).",
    )
    audit_backups: int = Field(
        default=20,
        ge=1,
        le=10_000,
        validation_alias=_env("RISKGRAPH_AUDIT_BACKUPS"),
        description="Rotated audit files kept (audit.log.1 ... audit.log.N).",
    )
    audit_log: Path = Field(
        default=Path(".riskgraph/audit.log"),
        validation_alias=_env("RISKGRAPH_AUDIT_LOG"),
        description="The API's audit log: one JSON line per request (who, what, when, status).",
    )

    # --- how to reach Neo4j (an external server when NEO4J_URI is set) ---------------------
    neo4j_uri: str | None = Field(
        default=None,
        validation_alias=_env("NEO4J_URI"),
        description="An external server (compose, cluster, Aura). Unset: use the embedded one.",
    )
    neo4j_user: str = Field(default="neo4j", validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(
        default=None,
        validation_alias=_env("NEO4J_PASSWORD"),
        description="Unset with the embedded server: a random one is made and kept in its dir.",
    )
    neo4j_password_file: Path | None = Field(
        default=None,
        validation_alias=_env("NEO4J_PASSWORD_FILE"),
        description="A file holding NEO4J_PASSWORD (a Docker or Kubernetes secret), so the "
        "password is not in the environment; a trailing newline is ignored.",
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=_env("NEO4J_DATABASE"))

    @property
    def embedded(self) -> bool:
        """True when riskgraph runs its own Neo4j rather than using ``NEO4J_URI``."""
        return self.neo4j_uri is None

    @model_validator(mode="after")
    def _secret_files(self) -> Settings:
        """Secrets mounted as files (NEO4J_PASSWORD_FILE, RISKGRAPH_API_KEYS_FILE) stay out of
        the environment, where child processes and crash reports would see them."""
        for field, file_field, variable in (
            ("neo4j_password", "neo4j_password_file", "NEO4J_PASSWORD"),
            ("api_keys", "api_keys_file", "RISKGRAPH_API_KEYS"),
        ):
            path: Path | None = getattr(self, file_field)
            if path is None:
                continue
            if getattr(self, field) is not None:
                raise ValueError(f"{variable} and {variable}_FILE are both set: keep one")
            try:
                value = path.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ValueError(
                    f"{variable}_FILE={path} cannot be read ({exc.strerror}): point it at a "
                    "readable file holding the secret"
                ) from exc
            if not value.strip():
                raise ValueError(f"{variable}_FILE={path} is empty: write the secret into it")
            setattr(self, field, SecretStr(value))
        return self

    @property
    def neo4j_tls(self) -> bool:
        """Whether the embedded server's Bolt is configured for TLS (either half set)."""
        return self.neo4j_tls_cert is not None or self.neo4j_tls_key is not None

    @property
    def bolt_uri(self) -> str:
        """The driver's URI: NEO4J_URI, or the embedded server's address, over TLS (bolt+s,
        or bolt+ssc without certificate checks) when the server requires it. A wildcard
        listen address (0.0.0.0, ::) is reached on loopback."""
        if self.neo4j_uri is not None:
            return self.neo4j_uri
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.neo4j_host, self.neo4j_host)
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        scheme = "bolt"
        if self.neo4j_tls:
            scheme = "bolt+s" if self.neo4j_tls_verify else "bolt+ssc"
        return f"{scheme}://{host}:{self.neo4j_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()
