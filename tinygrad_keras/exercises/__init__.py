"""Checkers of the tutorials' exercises: ``check_NN.check(module)`` raises AssertionError
when the learner's module gives a wrong answer."""
