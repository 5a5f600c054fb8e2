"""The events of a submission in standalone mode: each job's update before the submission's."""

from event_helpers import trace

if __name__ == "__main__":
    trace("standalone")
