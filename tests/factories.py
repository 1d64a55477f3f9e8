"""factory_boy factories for the apps' models; reference data comes from the real loader."""

from __future__ import annotations

from datetime import date

import factory

from kenes.core.models import Region, StateBody, User
from kenes.councils.models import Council, Membership, Person

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    full_name = factory.Sequence(lambda n: f"Тест Қолданушы {n}")
    preferred_language = "kk"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    code = factory.Sequence(lambda n: f"test-council-{n}")
    name_kk = factory.Sequence(lambda n: f"Сынақ кеңесі {n}")
    name_ru = factory.Sequence(lambda n: f"Тестовый совет {n}")
    name_en = factory.Sequence(lambda n: f"Test council {n}")
    level = Council.Level.REPUBLICAN
    state_body = factory.LazyFunction(lambda: StateBody.objects.get(code="min-health"))
    region = None
    min_members = 15
    max_members = 30
    term_start = date(2025, 1, 15)
    term_end = date(2028, 1, 14)


class LocalCouncilFactory(CouncilFactory):
    level = Council.Level.LOCAL
    region = factory.LazyFunction(lambda: Region.objects.get(code="35"))
    state_body = factory.LazyFunction(lambda: StateBody.objects.get(code="akimat-35"))
    min_members = 10


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    last_name = factory.Iterator(["Әбдірахманов", "Иванова", "Сейітқали", "Нұрланова"])
    first_name = factory.Iterator(["Ерлан", "Анна", "Бауыржан", "Әсем"])
    patronymic = ""
    public_profile = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    council = factory.SubFactory(CouncilFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER
    sector = Membership.Sector.NGO
    term_start = date(2025, 1, 15)
    term_end = date(2028, 1, 14)


class IssueFactory(factory.django.DjangoModelFactory):
    """A public issue of a council; its ``search_document`` is computed as the services compute it."""

    class Meta:
        model = "issues.Issue"

    title = factory.Sequence(lambda n: f"Мәселе {n}")
    description = "Сипаттама."
    council = factory.SubFactory(LocalCouncilFactory)
    region = factory.LazyAttribute(lambda issue: issue.council.region)
    language = "kk"
    source = "council"
    status = "new"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from kenes.search.fulltext import document

        kwargs["search_document"] = document(kwargs.get("title", ""), kwargs.get("description", ""))
        return super()._create(model_class, *args, **kwargs)
