"""The reference engine: the shipped, correct implementation of the rules."""
