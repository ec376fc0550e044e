"""The demo jurisdiction (`xianfeng demo`): the orchestrator over the apps' demo builders.

The top layer: it may import every app. See `builder.build_demo`.
"""
