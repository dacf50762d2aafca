"""The base of the factories that make their row through the app's own service."""

import factory


class ServiceFactory(factory.Factory):
    """A factory whose `_create` calls the service the app writes the row with, so the row
    comes with the audit entry, notifications and checks it has in use. Such a row cannot be
    built unsaved: the service is what makes it."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        # Refused before the declarations run: they read and write the database.
        if strategy != factory.CREATE_STRATEGY:
            raise TypeError(f"{cls.__name__} makes its row through the app's service: use create()")
        return super()._generate(strategy, params)
