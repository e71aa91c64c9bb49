"""The one exception type for problems caused by user input."""


class CrosslError(Exception):
    """A problem with the user's input (data, config, checkpoint) rather than a bug.

    The command line prints its message as one line and exits with code 2; library users can
    catch it to tell bad input from programming errors.
    """
