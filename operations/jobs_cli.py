"""`flask jobs failed`: the RQ jobs that failed, to look at, requeue or delete.

/healthz counts them; this lists them (id, job, when, the error's last line) and acts on them by
id, or on all of them. Job arguments are ids, never numbers, so listing them shows no one's data.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from rq.job import Job
from rq.registry import FailedJobRegistry

from hotline.parts import part
from operations.health import JobQueues

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
    registries = {
        job_id: registry
        for registry in (FailedJobRegistry(queue=q) for q in part(JobQueues).queues)
        for job_id in registry.get_job_ids()
    }
    ids = list(registries)
    to_requeue = ids if requeue_all else list(requeue)
    to_delete = ids if delete_all else list(delete)
    for job_id in (*to_requeue, *to_delete):
        if job_id not in registries:
            raise click.ClickException(f"no failed job {job_id}")
    for job_id in to_requeue:
        registries[job_id].requeue(job_id)
        click.echo(f"requeued {job_id}")
    for job_id in to_delete:
        registries[job_id].remove(job_id, delete_job=True)
        click.echo(f"deleted {job_id}")
    if to_requeue or to_delete or requeue_all or delete_all:
        return
    click.echo(f"{len(ids)} failed job(s)")
    for job_id, registry in registries.items():
        job = Job.fetch_many(
            [job_id], connection=registry.connection, serializer=registry.serializer
        )[0]
        if job is None:
            continue
        ended = job.ended_at.isoformat(timespec="seconds") if job.ended_at else "?"
        result = job.latest_result()
        error = (result.exc_string or "").strip().splitlines() if result else []
        last = error[-1] if error else ""
        click.echo(f"{job.id}  {registry.name}  {job.func_name}  failed {ended}  {last}")
