"""The authoring API: ids, edges, groups, and what is refused at definition time."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from orchestrator import DAG, TriggerRule, chain, dag, task, task_group
from orchestrator.errors import DagDefinitionError, UnmappableXComError
from orchestrator.expand_input import DictOfListsExpandInput, validate_mappable_value
from orchestrator.operators import BashOperator


@task
def echo(x=None):
    return x


def test_dag_decorator_uses_the_function_name_and_registers_tasks():
    @dag(start_date=datetime(2022, 1, 1))
    def my_pipeline():
        echo(1) >> echo(2)

    built = my_pipeline()
    assert built.dag_id == "my_pipeline"
    assert sorted(built.task_dict) == ["echo", "echo__1"]
    assert built.task_dict["echo__1"].upstream_task_ids == {"echo"}


def test_override_renames_one_use_and_xcom_args_make_edges():
    with DAG("d") as d:
        first = echo.override(task_id="first")(1)
        echo(first)
    assert d.task_dict["echo"].upstream_task_ids == {"first"}


def test_shift_operators_lists_and_chain_set_edges():
    with DAG("d") as d:
        a, b, c, e = (BashOperator(task_id=n, bash_command="true") for n in "abce")
        [a, b] >> c
        e << c
        f = BashOperator(task_id="f", bash_command="true")
        chain(e, f)
    assert d.task_dict["c"].upstream_task_ids == {"a", "b"}
    assert d.task_dict["e"].upstream_task_ids == {"c"}
    assert d.task_dict["f"].upstream_task_ids == {"e"}
    assert [t.task_id for t in d.leaves()] == ["f"]


def test_cycle_is_refused_naming_its_tasks():
    with DAG("d") as d:
        a = BashOperator(task_id="a", bash_command="true")
        b = BashOperator(task_id="b", bash_command="true")
        a >> b >> a
    with pytest.raises(DagDefinitionError, match="cycle through tasks a, b"):
        d.validate()


@pytest.mark.parametrize("name", ["task_id", "pool", "queue", "retries", "trigger_rule", "batch_size"])
def test_operator_arguments_cannot_be_mapped(name):
    with DAG("d"), pytest.raises(DagDefinitionError, match=f"'{name}'.*cannot be mapped"):
        BashOperator.partial(task_id="t").expand(bash_command=["true"], **{name: ["x"]})


def test_decorated_task_refuses_names_it_does_not_take():
    with DAG("d"), pytest.raises(DagDefinitionError, match="unexpected keyword argument 'pool'"):
        echo.expand(x=[1], pool=["p"])


def test_expand_refuses_a_literal_that_is_not_a_list_naming_its_type():
    with DAG("d"), pytest.raises(DagDefinitionError, match="'int'"):
        echo.expand(x=3)


def test_missing_required_argument_is_named():
    @task
    def needs(a, b):
        return a

    with DAG("d"), pytest.raises(DagDefinitionError, match="missing required argument.*b"):
        needs.expand(a=[1])


def test_task_outside_a_dag_is_refused():
    with pytest.raises(DagDefinitionError, match="outside a DAG"):
        echo(1)


def test_default_args_apply_to_tasks():
    with DAG("d", default_args={"retries": 3, "retry_delay": timedelta(seconds=5)}) as d:
        echo(1)
    assert d.task_dict["echo"].retries == 3
    assert d.task_dict["echo"].retry_delay == timedelta(seconds=5)


def test_unknown_trigger_rule_is_refused():
    with DAG("d"), pytest.raises(DagDefinitionError, match="unknown trigger_rule 'sometimes'"):
        echo.override(trigger_rule="sometimes")(1)


def test_task_group_prefixes_ids_and_mapped_group_maps_its_tasks():
    @task_group
    def stage(x):
        return echo(echo.override(task_id="inner")(x))

    with DAG("d") as d:
        stage(1)
        stage.expand(x=[1, 2])
    assert {"stage.inner", "stage.echo", "stage__1.inner", "stage__1.echo"} == set(d.task_dict)
    assert not d.task_dict["stage.echo"].is_mapped
    assert d.task_dict["stage__1.echo"].is_mapped
    assert d.task_dict["stage__1.echo"].mapped_group is d.task_dict["stage__1.inner"].mapped_group


def test_group_in_shift_stands_for_its_roots_and_leaves():
    @task_group
    def pair():
        echo.override(task_id="one")(1) >> echo.override(task_id="two")(2)

    with DAG("d") as d:
        start = echo.override(task_id="start")()
        group = pair()
        start >> group >> echo.override(task_id="end")()
    assert d.task_dict["pair.one"].upstream_task_ids == {"start"}
    assert d.task_dict["end"].upstream_task_ids == {"pair.two"}


def test_trigger_rule_is_an_enum_of_airflows_thirteen_rules():
    # Airflow's TriggerRule: the twelve of the docs' table and all_done_setup_success (teardowns).
    assert len(TriggerRule) == 13
    assert TriggerRule("none_failed_min_one_success") is TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS


def test_cross_product_varies_the_last_parameter_fastest():
    expand = DictOfListsExpandInput({"x": [2, 4, 8], "y": [5, 10]})
    lengths = expand.lengths(reader=None)
    assert lengths == [3, 2]
    got = [tuple(expand.kwargs_at(i, lengths, reader=None).values()) for i in range(6)]
    assert got == [(2, 5), (2, 10), (4, 5), (4, 10), (8, 5), (8, 10)]


def test_dict_literal_maps_over_its_items():
    expand = DictOfListsExpandInput({"pair": {"a": 1, "b": 2}})
    assert [expand.kwargs_at(i, [2], None)["pair"] for i in range(2)] == [("a", 1), ("b", 2)]


@pytest.mark.parametrize("value, words", [(None, "None"), (42, "'int'"), ("abc", "'str'"), ([0] * 11, "11 > ")])
def test_unmappable_values_are_named(value, words):
    with pytest.raises(UnmappableXComError, match=words):
        validate_mappable_value("up", value, limit=10)


def test_the_dag_bag_reloads_a_changed_file_and_refuses_a_removed_one(tmp_path):
    """Workers ask for a run's DAG by its recorded fileloc at every message: the file's path is
    resolved once, its modification time checked each time."""
    import os

    from orchestrator.dag_loader import DagBag
    from orchestrator.errors import DagNotFound

    folder = tmp_path / "dags"
    folder.mkdir()
    path = folder / "d.py"
    source = "from datetime import datetime\nfrom orchestrator import DAG, task\n" \
             "with DAG(dag_id='d') as d:\n    @task\n    def {name}():\n        pass\n    {name}()\n"
    path.write_text(source.format(name="first"))
    bag = DagBag(folder)
    assert list(bag.get_dag("d.py", "d").task_dict) == ["first"]
    path.write_text(source.format(name="second"))
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert list(bag.get_dag("d.py", "d").task_dict) == ["second"]
    path.unlink()
    with pytest.raises(DagNotFound, match="does not exist"):
        bag.get_dag("d.py", "d")


def test_retry_delay_doubles_with_exponential_backoff_up_to_max_retry_delay():
    from datetime import datetime, timedelta

    from orchestrator import DAG
    from orchestrator.operators import BashOperator

    with DAG(dag_id="backoff", schedule=None, start_date=datetime(2022, 1, 1)):
        plain = BashOperator(task_id="plain", bash_command="true", retry_delay=timedelta(seconds=3))
        doubling = BashOperator(task_id="doubling", bash_command="true", retry_delay=timedelta(seconds=3),
                                retry_exponential_backoff=True, max_retry_delay=timedelta(seconds=20))
    assert [plain.delay_before_try(n) for n in (2, 3, 4)] == [3, 3, 3]
    assert [doubling.delay_before_try(n) for n in (2, 3, 4, 5)] == [3, 6, 12, 20]


def test_xcomarg_of_an_operator_is_its_output():
    from orchestrator import XComArg
    from orchestrator.xcom_arg import PlainXComArg

    with DAG("d"):
        op = BashOperator(task_id="b", bash_command="echo hi")
        ref = XComArg(op)
        keyed = XComArg(op, "out")
    assert isinstance(ref, PlainXComArg) and ref.operator is op and ref.key == "return_value"
    assert keyed.key == "out"
    with pytest.raises(TypeError, match="takes an operator"):
        XComArg("b")


def test_an_output_is_not_iterable_at_definition_time():
    with DAG("d"):
        out = echo(1)
        with pytest.raises(TypeError, match="not iterable"):
            list(out)
        with pytest.raises(TypeError, match="XCom key"):
            out[0]


def test_a_classic_operator_depends_on_an_output_set_after_its_base_init():
    from orchestrator.baseoperator import BaseOperator

    class Sum(BaseOperator):
        template_fields = ("values",)

        def __init__(self, values, **kwargs):
            super().__init__(**kwargs)
            self.values = values

    with DAG("d") as d:
        Sum(task_id="total", values={"firsts": [echo(1), 2]})
    assert d.task_dict["total"].upstream_task_ids == {"echo"}


def test_an_output_in_an_attribute_that_is_not_templated_is_refused():
    from orchestrator.baseoperator import BaseOperator

    class Print(BaseOperator):
        def __init__(self, message, **kwargs):
            super().__init__(**kwargs)
            self.message = message

    with DAG("d"), pytest.raises(DagDefinitionError, match="Print.message .* template_fields"):
        Print(task_id="say", message=echo("hi"))


def test_mapping_over_a_key_nothing_pushes_is_refused_naming_task_and_key():
    @task
    def listing():
        return {"files": []}

    with DAG("d"):
        with pytest.raises(DagDefinitionError, match="'files' of task 'listing'.*multiple_outputs"):
            echo.expand(x=listing()["files"])
        with pytest.raises(DagDefinitionError, match="'files' of task 'listing__1'"):
            echo.expand_kwargs(listing()["files"].map(dict))
        with pytest.raises(DagDefinitionError, match="'k' of mapped task 'echo'"):
            echo.expand(x=echo.expand(x=[1])["k"])


def test_mapping_over_a_key_of_a_multiple_outputs_task_is_accepted():
    @task(multiple_outputs=True)
    def listing():
        return {"files": []}

    with DAG("d") as d:
        echo.expand(x=listing()["files"])
    assert d.task_dict["echo"].upstream_task_ids == {"listing"}


def test_cross_downstream_and_chain_linear_link_every_pair():
    """Airflow's cross_downstream(from, to) and chain_linear(*elements) (2.7): every task of one
    element upstream of every task of the next; chain_linear without an edge, or with a label, is refused."""
    from orchestrator import Label, chain_linear, cross_downstream

    with DAG(dag_id="links", schedule=None, start_date=datetime(2022, 1, 1)) as d:
        a, b, c, e, f = (BashOperator(task_id=n, bash_command="true") for n in "abcef")
        cross_downstream([a, b], [c, e])
        chain_linear([c, e], f)
    assert {t: sorted(d.task_dict[t].downstream_task_ids) for t in "abce"} == {
        "a": ["c", "e"], "b": ["c", "e"], "c": ["f"], "e": ["f"]}
    with DAG(dag_id="no_links", schedule=None, start_date=datetime(2022, 1, 1)):
        only = BashOperator(task_id="only", bash_command="true")
        with pytest.raises(DagDefinitionError, match="no dependency"):
            chain_linear([only])
        with pytest.raises(DagDefinitionError, match="labels"):
            chain_linear(only, Label("x"), only)


def test_a_classic_operator_refuses_an_argument_it_does_not_take_when_the_file_loads():
    """Airflow's validate_mapping_kwargs: a typo in partial() or expand() of a classic operator is
    refused at once (it would fail every index at run time), naming the operator and the argument."""
    from orchestrator.operators import PythonOperator

    with DAG(dag_id="typos", schedule=None, start_date=datetime(2022, 1, 1)):
        with pytest.raises(DagDefinitionError, match=r"BashOperator.expand\(\) got an unexpected .* 'bash_comand'"):
            BashOperator.partial(task_id="a").expand(bash_comand=["true"])
        with pytest.raises(DagDefinitionError, match=r"PythonOperator.partial\(\) got an unexpected .* 'op_kwarg'"):
            PythonOperator.partial(task_id="b", python_callable=print, op_kwarg={}).expand(op_args=[[1]])
        # what its own __init__ or one of its bases' takes is fine, BaseOperator's arguments included
        BashOperator.partial(task_id="c", retries=1, env={"A": "1"}).expand(bash_command=["true"])
