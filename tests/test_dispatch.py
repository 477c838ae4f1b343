"""The chord's header messages: built as copies of one Celery message, the same as Celery's own."""
from __future__ import annotations

from celery import Celery
from celery.utils import uuid

from executor.dispatch import FIRST_PUBLISH, PUBLISH_BATCH, RUN_INSTANCES, header_messages, publish_slices


def test_each_header_message_is_the_one_celery_makes_for_its_batch():
    app = Celery("header-test", set_as_current=False)
    batches = [[0], [1, 2], [3, 4, 5]]
    ids = [uuid() for _ in batches]
    callback = app.signature("chordflow.advance", args=("run-1",), immutable=True, ignore_result=True)
    callback.freeze(group_id="group-1")
    made = list(header_messages(app, "run-1", "load", batches, ids, "group-1", callback, True))
    assert len(made) == len(batches)
    for index, ((headers, properties, body, sent_event), task_id, batch) in enumerate(zip(made, ids, batches,
                                                                                          strict=True)):
        expected = app.amqp.as_task_v2(task_id, RUN_INSTANCES, args=("run-1", "load", batch), group_id="group-1",
                                       group_index=index, chord=callback, ignore_result=True,
                                       argsrepr=f"('run-1', 'load', <{len(batch)} map indices {batch[0]}..>)",
                                       reply_to=app.thread_oid)
        assert headers == expected.headers
        assert properties == expected.properties
        assert body == expected.body
        assert sent_event is None
        assert headers["root_id"] == task_id  # sent from outside a task: each message is its own root


def test_a_header_is_published_first_in_a_small_pipeline_then_in_big_ones():
    assert publish_slices(1) == [(0, 1)]
    assert publish_slices(FIRST_PUBLISH) == [(0, FIRST_PUBLISH)]
    n = FIRST_PUBLISH + 2 * PUBLISH_BATCH + 7
    slices = publish_slices(n)
    assert slices[0] == (0, FIRST_PUBLISH)
    assert all(end - first == PUBLISH_BATCH for first, end in slices[1:-1])
    # every message exactly once, in order
    assert [i for first, end in slices for i in range(first, end)] == list(range(n))
