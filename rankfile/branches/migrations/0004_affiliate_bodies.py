from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0003_body_contact_email'),
    ]

    operations = [
        migrations.AlterField(
            model_name='body',
            name='kind',
            field=models.CharField(choices=[('organisation', 'Organisation'), ('region', 'Region'), ('constituency', 'Constituency'), ('branch', 'Branch'), ('group', 'Group'), ('affiliate', 'Affiliate')], max_length=20),
        ),
    ]
