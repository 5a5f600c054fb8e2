"""A scenario submitted before the orchestrator runs, in development mode: run() goes on with it."""

from early_submit import submit_before_run

if __name__ == "__main__":
    submit_before_run(mode="development")
