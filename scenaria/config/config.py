"""``Config``: the process-wide configuration, set from Python calls and TOML files.

This module holds the ``configure_*`` and ``set_default_*`` calls; the layers they add to, their
merge, the TOML files and the checks are in :mod:`scenaria.config.state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scenaria.config.core import CONFIG_FORMAT_VERSION, CoreSection, check_core_version
from scenaria.config.data_node import DataNodeConfig
from scenaria.config.enums import Frequency, Scope
from scenaria.config.global_app import GlobalAppConfig
from scenaria.config.job import JobConfig
from scenaria.config.layer import DEFAULT_ID
from scenaria.config.scenario import ScenarioConfig
from scenaria.config.schedule import ScheduleConfig
from scenaria.config.section import copy_value
from scenaria.config.state import ConfigState
from scenaria.config.task import TaskConfig

if TYPE_CHECKING:
    from scenaria.config.migration import MigrationConfig


def _named(**values: Any) -> dict[str, Any]:
    """The named arguments that were given (not None)."""
    return {k: v for k, v in values.items() if v is not None}


class Config(ConfigState):
    """The configuration of the process (class-level API, as ``Config.configure_data_node(...)``)."""

    @classmethod
    def add_migration_function(
        cls, target_version: str, config: Any, migration_fct: Callable[[Any], Any], **properties: Any
    ) -> MigrationConfig:
        """Have ``migration_fct(entity)`` migrate the entities of ``config`` (a data node, task or
        scenario config, or its id) of older production versions when the production version
        ``target_version`` runs (see ``scenaria.versioning.migration``); the registered functions,
        as Taipy's ``MigrationConfig`` (also ``Config.migration_functions``)."""
        from scenaria.config import migration  # here: most programs register no migration

        with cls._lock:
            migration.add(cls._migrations, target_version, config, migration_fct)
            cls._migration_properties.update(properties)
            return migration.view(cls._migrations, cls._migration_properties)

    # --- unique sections -------------------------------------------------------------------------
    @classmethod
    def configure_global_app(cls, **properties: Any) -> GlobalAppConfig:
        """Set application-wide properties (``[TAIPY]``)."""
        return cls._merge_unique(GlobalAppConfig(**properties))  # type: ignore[no-any-return]

    @classmethod
    def configure_job_executions(
        cls, mode: str | None = None, max_nb_of_workers: int | str | None = None, **properties: Any
    ) -> JobConfig:
        """Choose the job execution mode (development, standalone, dask) and the number of workers
        (``max_nb_of_workers``, also accepted as ``nb_of_workers``). Dask takes an ``address``."""
        return cls._merge_unique(JobConfig(mode, max_nb_of_workers, **properties))  # type: ignore[no-any-return]

    @classmethod
    def configure_core(
        cls,
        root_folder: str | None = None,
        storage_folder: str | None = None,
        taipy_storage_folder: str | None = None,
        repository_type: str | None = None,
        repository_properties: dict[str, str | int] | None = None,
        read_entity_retry: int | None = None,
        mode: str | None = None,
        version_number: str | None = None,
        force: bool | None = None,
        **properties: Any,
    ) -> CoreSection:
        """Set where entities and data are stored and how versions are managed (``[CORE]``).

        A ``core_version`` given here is checked (a configuration is of this version)."""
        check_core_version(properties.pop("core_version", CONFIG_FORMAT_VERSION), "configure_core: ")
        section = CoreSection(
            root_folder,
            storage_folder,
            taipy_storage_folder,
            repository_type,
            repository_properties,
            read_entity_retry,
            mode,
            version_number,
            force,
            core_version=CONFIG_FORMAT_VERSION,
            **properties,
        )
        return cls._merge_unique(section)  # type: ignore[no-any-return]

    # --- data nodes ------------------------------------------------------------------------------
    @classmethod
    def configure_data_node(
        cls,
        id: str,
        storage_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        """Configure a data node; ``storage_type`` defaults to ``"pickle"``, ``scope`` to ``SCENARIO``."""
        return cls._add(DataNodeConfig(id, storage_type, scope, validity_period, **properties))  # type: ignore[no-any-return]

    @classmethod
    def configure_data_node_from(
        cls, source_configuration: DataNodeConfig, id: str, **properties: Any
    ) -> DataNodeConfig:
        """Configure a data node as a copy of ``source_configuration``, changed by ``properties``."""
        values = {
            "storage_type": source_configuration._raw("storage_type"),
            "scope": source_configuration._raw("scope"),
            "validity_period": source_configuration._raw("validity_period"),
            **copy_value(source_configuration.properties),
            **properties,
        }
        return cls.configure_data_node(id, **values)

    @classmethod
    def set_default_data_node_configuration(
        cls,
        storage_type: str,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        """Set what every data node config inherits when it does not say otherwise."""
        return cls.configure_data_node(DEFAULT_ID, storage_type, scope, validity_period, **properties)

    @classmethod
    def _typed_data_node(
        cls,
        storage_type: str,
        id: str,
        scope: Scope | None,
        validity_period: dt.timedelta | None,
        named: dict[str, Any],
        properties: dict[str, Any],
    ) -> DataNodeConfig:
        return cls.configure_data_node(id, storage_type, scope, validity_period, **{**named, **properties})

    @classmethod
    def configure_pickle_data_node(
        cls,
        id: str,
        default_path: str | None = None,
        default_data: Any = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(default_path=default_path, default_data=default_data)
        return cls._typed_data_node("pickle", id, scope, validity_period, named, properties)

    @classmethod
    def configure_csv_data_node(
        cls,
        id: str,
        default_path: str | None = None,
        encoding: str | None = None,
        has_header: bool | None = None,
        exposed_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        separator: str | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            default_path=default_path,
            encoding=encoding,
            has_header=has_header,
            exposed_type=exposed_type,
            separator=separator,
        )
        return cls._typed_data_node("csv", id, scope, validity_period, named, properties)

    @classmethod
    def configure_excel_data_node(
        cls,
        id: str,
        default_path: str | None = None,
        has_header: bool | None = None,
        sheet_name: list[str] | str | None = None,
        exposed_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            default_path=default_path, has_header=has_header, sheet_name=sheet_name, exposed_type=exposed_type
        )
        return cls._typed_data_node("excel", id, scope, validity_period, named, properties)

    @classmethod
    def configure_json_data_node(
        cls,
        id: str,
        default_path: str | None = None,
        encoding: str | None = None,
        encoder: type | None = None,
        decoder: type | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(default_path=default_path, encoding=encoding, encoder=encoder, decoder=decoder)
        return cls._typed_data_node("json", id, scope, validity_period, named, properties)

    @classmethod
    def configure_parquet_data_node(
        cls,
        id: str,
        default_path: str | None = None,
        engine: str | None = None,
        compression: str | None = None,
        read_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
        exposed_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            default_path=default_path,
            engine=engine,
            compression=compression,
            read_kwargs=read_kwargs,
            write_kwargs=write_kwargs,
            exposed_type=exposed_type,
        )
        return cls._typed_data_node("parquet", id, scope, validity_period, named, properties)

    @classmethod
    def configure_sql_table_data_node(
        cls,
        id: str,
        db_name: str,
        db_engine: str,
        table_name: str,
        db_username: str | None = None,
        db_password: str | None = None,
        db_host: str | None = None,
        db_port: int | None = None,
        db_driver: str | None = None,
        sqlite_folder_path: str | None = None,
        sqlite_file_extension: str | None = None,
        db_extra_args: dict[str, Any] | None = None,
        exposed_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            db_name=db_name,
            db_engine=db_engine,
            table_name=table_name,
            db_username=db_username,
            db_password=db_password,
            db_host=db_host,
            db_port=db_port,
            db_driver=db_driver,
            sqlite_folder_path=sqlite_folder_path,
            sqlite_file_extension=sqlite_file_extension,
            db_extra_args=db_extra_args,
            exposed_type=exposed_type,
        )
        return cls._typed_data_node("sql_table", id, scope, validity_period, named, properties)

    @classmethod
    def configure_sql_data_node(
        cls,
        id: str,
        db_name: str,
        db_engine: str,
        read_query: str | None = None,
        write_query_builder: Callable[..., Any] | None = None,
        append_query_builder: Callable[..., Any] | None = None,
        db_username: str | None = None,
        db_password: str | None = None,
        db_host: str | None = None,
        db_port: int | None = None,
        db_driver: str | None = None,
        sqlite_folder_path: str | None = None,
        sqlite_file_extension: str | None = None,
        db_extra_args: dict[str, Any] | None = None,
        exposed_type: str | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            db_name=db_name,
            db_engine=db_engine,
            read_query=read_query,
            write_query_builder=write_query_builder,
            append_query_builder=append_query_builder,
            db_username=db_username,
            db_password=db_password,
            db_host=db_host,
            db_port=db_port,
            db_driver=db_driver,
            sqlite_folder_path=sqlite_folder_path,
            sqlite_file_extension=sqlite_file_extension,
            db_extra_args=db_extra_args,
            exposed_type=exposed_type,
        )
        return cls._typed_data_node("sql", id, scope, validity_period, named, properties)

    @classmethod
    def configure_mongo_collection_data_node(
        cls,
        id: str,
        db_name: str,
        collection_name: str,
        custom_document: Any = None,
        db_username: str | None = None,
        db_password: str | None = None,
        db_host: str | None = None,
        db_port: int | None = None,
        db_driver: str | None = None,
        db_extra_args: dict[str, Any] | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            db_name=db_name,
            collection_name=collection_name,
            custom_document=custom_document,
            db_username=db_username,
            db_password=db_password,
            db_host=db_host,
            db_port=db_port,
            db_driver=db_driver,
            db_extra_args=db_extra_args,
        )
        return cls._typed_data_node("mongo_collection", id, scope, validity_period, named, properties)

    @classmethod
    def configure_in_memory_data_node(
        cls,
        id: str,
        default_data: Any = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(default_data=default_data)
        return cls._typed_data_node("in_memory", id, scope, validity_period, named, properties)

    @classmethod
    def configure_generic_data_node(
        cls,
        id: str,
        read_fct: Callable[..., Any] | None = None,
        write_fct: Callable[..., Any] | None = None,
        read_fct_args: list[Any] | None = None,
        write_fct_args: list[Any] | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            read_fct=read_fct, write_fct=write_fct, read_fct_args=read_fct_args, write_fct_args=write_fct_args
        )
        return cls._typed_data_node("generic", id, scope, validity_period, named, properties)

    @classmethod
    def configure_s3_object_data_node(
        cls,
        id: str,
        aws_access_key: str,
        aws_secret_access_key: str,
        aws_s3_bucket_name: str,
        aws_s3_object_key: str,
        aws_region: str | None = None,
        aws_s3_object_parameters: dict[str, Any] | None = None,
        scope: Scope | None = None,
        validity_period: dt.timedelta | None = None,
        aws_s3_client_parameters: dict[str, Any] | None = None,
        aws_s3_get_object_parameters: dict[str, Any] | None = None,
        aws_s3_put_object_parameters: dict[str, Any] | None = None,
        **properties: Any,
    ) -> DataNodeConfig:
        named = _named(
            aws_access_key=aws_access_key,
            aws_secret_access_key=aws_secret_access_key,
            aws_s3_bucket_name=aws_s3_bucket_name,
            aws_s3_object_key=aws_s3_object_key,
            aws_region=aws_region,
            aws_s3_object_parameters=aws_s3_object_parameters,
            aws_s3_client_parameters=aws_s3_client_parameters,
            aws_s3_get_object_parameters=aws_s3_get_object_parameters,
            aws_s3_put_object_parameters=aws_s3_put_object_parameters,
        )
        return cls._typed_data_node("s3_object", id, scope, validity_period, named, properties)

    # --- tasks and scenarios ---------------------------------------------------------------------
    @classmethod
    def configure_task(
        cls,
        id: str,
        function: Callable[..., Any] | None,
        input: DataNodeConfig | list[DataNodeConfig] | None = None,
        output: DataNodeConfig | list[DataNodeConfig] | None = None,
        skippable: bool = False,
        **properties: Any,
    ) -> TaskConfig:
        """Configure a task: ``function`` reads ``input`` and its result is written to ``output``."""
        return cls._add(TaskConfig(id, function, input, output, skippable, **properties))  # type: ignore[no-any-return]

    @classmethod
    def set_default_task_configuration(
        cls,
        function: Callable[..., Any] | None,
        input: DataNodeConfig | list[DataNodeConfig] | None = None,
        output: DataNodeConfig | list[DataNodeConfig] | None = None,
        skippable: bool = False,
        **properties: Any,
    ) -> TaskConfig:
        """Set what every task config inherits when it does not say otherwise."""
        return cls.configure_task(DEFAULT_ID, function, input, output, skippable, **properties)

    @classmethod
    def configure_scenario(
        cls,
        id: str,
        task_configs: list[TaskConfig] | None = None,
        additional_data_node_configs: list[DataNodeConfig] | None = None,
        frequency: Frequency | None = None,
        comparators: dict[str, list[Callable[..., Any]] | Callable[..., Any]] | None = None,
        sequences: dict[str, list[TaskConfig]] | None = None,
        **properties: Any,
    ) -> ScenarioConfig:
        """Configure a scenario from its tasks and additional data nodes."""
        section = ScenarioConfig(
            id, task_configs, additional_data_node_configs, frequency, comparators, sequences, **properties
        )
        return cls._add(section)  # type: ignore[no-any-return]

    @classmethod
    def set_default_scenario_configuration(
        cls,
        task_configs: list[TaskConfig] | None = None,
        additional_data_node_configs: list[DataNodeConfig] | None = None,
        frequency: Frequency | None = None,
        comparators: dict[str, list[Callable[..., Any]] | Callable[..., Any]] | None = None,
        sequences: dict[str, list[TaskConfig]] | None = None,
        **properties: Any,
    ) -> ScenarioConfig:
        """Set what every scenario config inherits when it does not say otherwise."""
        return cls.configure_scenario(
            DEFAULT_ID,
            task_configs,
            additional_data_node_configs,
            frequency,
            comparators,
            sequences,
            **properties,
        )

    # --- schedules -------------------------------------------------------------------------------
    @classmethod
    def configure_schedule(
        cls,
        id: str,
        cron: str | None = None,
        interval: dt.timedelta | None = None,
        action: str | None = None,
        scenario_config: ScenarioConfig | str | None = None,
        entity_id: str | None = None,
        timezone: str | None = None,
        catch_up: str | None = None,
        **properties: Any,
    ) -> ScheduleConfig:
        """Declare a schedule a live orchestrator fires: ``cron`` or ``interval``, an ``action``
        (default ``"create_and_submit"``, see ``scenaria.config.schedule``), a ``timezone`` (default
        UTC) and what to do with firings missed while no orchestrator lived (default ``"once"``)."""
        section = ScheduleConfig(
            id, cron, interval, action, scenario_config, entity_id, timezone, catch_up, **properties
        )
        return cls._add(section)  # type: ignore[no-any-return]
