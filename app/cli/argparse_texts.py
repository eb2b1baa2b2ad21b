"""argparse's own texts (usage, option groups, errors), marked so that they are in our catalogue.

argparse translates them with the standard gettext functions, in the current text domain; the CLI binds
that domain to ours (hwinspector.i18n.bind_default_domain) so --help and usage errors follow LANGUAGE too.
These are argparse's msgids as Python 3.10-3.13 spell them; nothing imports this module.
"""

from hwinspector.i18n import N_

ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("optional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
)
