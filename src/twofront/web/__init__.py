"""The dashboard: a local web page over the same functions the command line calls.

:mod:`~twofront.web.models` holds the request and response bodies,
:mod:`~twofront.web.runner` the work (sliders, simulations in bounded chunks,
stored experiments) and :mod:`~twofront.web.app` the routes. ``twofront serve``
starts it.
"""
