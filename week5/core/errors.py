"""The one error type for input the course cannot use: a context value, a prop, a CLI argument."""


class CourseInputError(ValueError):
    """A context value or construct prop that the course cannot use; the message says the fix.

    Raised before anything is synthesized or deployed. The command line prints its message as
    one line and exits 2.
    """
