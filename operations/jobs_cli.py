"""`flask jobs failed`: the RQ jobs that failed, to look at, requeue or delete.

/healthz counts them; this lists them (id, job, when, the error's last line) and acts on them by
id, or on all of them. Job arguments are ids, never numbers, so listing them shows no one's data.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from hotline.parts import part

jobs_cli = AppGroup("jobs", help="The hotline's RQ jobs.")


@jobs_cli.command("failed")
@click.option("--requeue", multiple=True, metavar="ID", help="Run this job again (repeatable).")
@click.option("--delete", multiple=True, metavar="ID", help="Delete this job (repeatable).")
@click.option("--requeue-all", is_flag=True, help="Run every failed job again.")
@click.option("--delete-all", is_flag=True, help="Delete every failed job.")
def failed(
    requeue: tuple[str, ...], delete: tuple[str, ...], requeue_all: bool, delete_all: bool
) -> None:
    """List the failed jobs, or requeue or delete them."""
    queue = part(Queue)
    registry = FailedJobRegistry(queue=queue)
    ids = registry.get_job_ids()
    to_requeue = ids if requeue_all else list(requeue)
    to_delete = ids if delete_all else list(delete)
    for job_id in (*to_requeue, *to_delete):
        if job_id not in ids:
            raise click.ClickException(f"no failed job {job_id}")
    for job_id in to_requeue:
        registry.requeue(job_id)
        click.echo(f"requeued {job_id}")
    for job_id in to_delete:
        registry.remove(job_id, delete_job=True)
        click.echo(f"deleted {job_id}")
    if to_requeue or to_delete or requeue_all or delete_all:
        return
    jobs = Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer)
    click.echo(f"{len(ids)} failed job(s) on queue {queue.name}")
    for job in filter(None, jobs):
        ended = job.ended_at.isoformat(timespec="seconds") if job.ended_at else "?"
        result = job.latest_result()
        error = (result.exc_string or "").strip().splitlines() if result else []
        click.echo(f"{job.id}  {job.func_name}  failed {ended}  {error[-1] if error else ''}")
