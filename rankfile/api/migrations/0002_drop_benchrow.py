from django.db import migrations


class Migration(migrations.Migration):
    """The benchmark's table moved to bench/common/benchsite: production databases drop it."""

    dependencies = [("api", "0001_initial")]

    operations = [migrations.DeleteModel(name="BenchRow")]
