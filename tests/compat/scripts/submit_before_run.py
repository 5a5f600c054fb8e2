"""A scenario submitted before the script runs the orchestrator: the later run() goes on with it."""

from early_submit import submit_before_run

if __name__ == "__main__":
    submit_before_run(mode="standalone", max_nb_of_workers=1)
