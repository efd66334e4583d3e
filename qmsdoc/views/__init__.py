"""What the user sees: text, JSON and GitHub-annotation views of the core's results.
May import the top-level modules and the core packages' result types; never ``cli``.
"""
