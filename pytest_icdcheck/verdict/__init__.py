"""One case's verdict: run the engine, compare with what is expected, render the difference."""
