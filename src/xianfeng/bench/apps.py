from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (`xianfeng bench …`) and the whole-database round trip: a top-level app
    that may read every other app; nothing imports it."""

    name = "xianfeng.bench"
    label = "bench"
    verbose_name = "性能测试"
