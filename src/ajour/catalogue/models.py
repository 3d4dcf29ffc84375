"""Providers, activities, instances with programme days, approvals (versioned) and attendance."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ajour.core.bounds import TEXT_MAX, length_at_most


class Provider(models.Model):
    """A course provider: PLO-E, a regional unit or a private provider."""

    class Kind(models.TextChoices):
        PLO_E = "plo_e", _("PLO Efteruddannelse")
        REGIONAL = "regional", _("Regional unit")
        PRIVATE = "private", _("Private provider")

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.ForeignKey("accounts.Region", null=True, blank=True, on_delete=models.PROTECT)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def language(self) -> str:
        """A provider's shared address is written to in Danish, the portal's first language."""
        return settings.LANGUAGE_CODE


class Topic(models.Model):
    """A controlled-vocabulary topic; its category drives the medical vs leadership statistics."""

    class Category(models.TextChoices):
        MEDICAL = "medical", _("Medical topics")
        LEADERSHIP = (
            "leadership_organisation_communication_wellbeing",
            _("Leadership, organisation, communication and wellbeing"),
        )
        OTHER = "other", _("Other")

    code = models.SlugField(unique=True)
    name_da = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    category = models.CharField(max_length=60, choices=Category.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    assumed = models.BooleanField(default=False, help_text="Demo topic rank with no source (calibration.md).")

    def __str__(self) -> str:
        return self.name_da


class SeTheme(models.Model):
    """A systematic-CME theme decided by the FAP board, with the years it applies."""

    code = models.SlugField(unique=True)
    name_da = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    days = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name_da


class Activity(models.Model):
    """An activity a provider (or a GP, for individual approval) applies to have approved."""

    class Form(models.TextChoices):
        COURSE = "course", _("Course")
        CONFERENCE = "conference", _("Conference")
        E_LEARNING = "e_learning", _("E-learning")
        SGE = "sge", _("SGE (systematic group-based)")
        DGE_MODULE = "dge_module", _("DGE module")
        DGE_MEETING = "dge_meeting", _("DGE meeting")
        KGE = "kge", _("KGE (clinic-based)")
        PGE = "pge", _("PGE (staff group-based)")
        PRACTICE_VISIT = "practice_visit", _("Practice visit")
        STAFF_COURSE = "staff_course", _("Staff course")

    class TargetGroup(models.TextChoices):
        GPS = "gps", _("GPs")
        STAFF = "staff", _("Practice staff")
        BOTH = "both", _("GPs and staff")

    class Approval(models.TextChoices):
        SELF_CHOSEN = "self_chosen", _("Self-chosen")
        SYSTEMATIC = "systematic", _("Systematic")
        BOTH = "both", _("Self-chosen and systematic")
        NONE = "none", _("Not approved")

    class Scope(models.TextChoices):
        GENERAL = "general", _("General")
        INDIVIDUAL = "individual", _("Individual")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Appealed")
        REVOKED = "revoked", _("Approval withdrawn")

    number = models.CharField(max_length=9, unique=True, null=True, blank=True)
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    applicant_doctor = models.ForeignKey(
        "accounts.Doctor", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    form = models.CharField(max_length=20, choices=Form.choices)
    target_group = models.CharField(max_length=10, choices=TargetGroup.choices, default=TargetGroup.GPS)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="activities")
    topics = models.ManyToManyField(Topic, blank=True, related_name="tagged_activities")
    requested_approval = models.CharField(max_length=12, choices=Approval.choices)
    approval = models.CharField(max_length=12, choices=Approval.choices, default=Approval.NONE)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.GENERAL)
    se_theme = models.ForeignKey(SeTheme, null=True, blank=True, on_delete=models.PROTECT)
    dge_group = models.ForeignKey(
        "groups.DgeGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_activities",
        help_text="For a DGE group's own meetings: the group whose members may claim them.",
    )
    laegedage = models.BooleanField(default=False)
    practice_purchase = models.BooleanField(default=False)
    price_ore = models.BigIntegerField(default=0)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The P-03 criteria checklist, answered with evidence by the applicant.
    gp_involvement = models.TextField(blank=True, help_text="Practising GPs in planning or teaching.")
    curriculum_relevance = models.TextField(blank=True, help_text="Relevance to the specialty curriculum.")
    funding = models.TextField(blank=True, help_text="Who pays, and any sponsorship.")
    industry_involvement = models.BooleanField(default=False)
    planning_independent = models.BooleanField(default=True)
    # Individual (advance) approval asked for by a GP (P-04, P-05).
    justification = models.TextField(blank=True)
    breadth_statement = models.TextField(blank=True)
    prechecks = models.JSONField(default=list, blank=True, help_text="Pre-check findings at submission.")
    conditions = models.TextField(blank=True)
    # The service-level clock pauses while the consultant waits for information.
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The full-text document on PostgreSQL (title weight A, topic names B, description C; Danish and
    # English), kept by a database trigger (migration 0007). Always empty on SQLite, where the same
    # triggers keep an FTS5 table instead (ajour.catalogue.search).
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["status"])]
        constraints = [
            length_at_most(field, TEXT_MAX)
            for field in (
                "description",
                "gp_involvement",
                "curriculum_relevance",
                "funding",
                "justification",
                "breadth_statement",
                "conditions",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def claim_type(self) -> str:
        """The `activity.type` of the claim contract (quote.md) for this form."""
        return {
            self.Form.SGE: "sge_day",
            self.Form.DGE_MODULE: "dge_module",
            self.Form.DGE_MEETING: "dge_meeting",
            self.Form.STAFF_COURSE: "staff_course",
            self.Form.PGE: "pge_module",
        }.get(self.Form(self.form), "course")


class ActivityInstance(models.Model):
    """One run of an activity: its own dates, venue and places."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="instances")
    venue = models.CharField(max_length=120)
    town = models.CharField(max_length=60)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT)
    places = models.PositiveIntegerField(default=30)
    booked = models.PositiveIntegerField(default=0, help_text="Places taken, as reported by the provider.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    approved_half_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Course days approved for this run, in half days."
    )
    claimable = models.JSONField(
        null=True, blank=True, help_text="What a GP can claim, from the rules engine (cached)."
    )
    attendance_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["starts_on"]),
            models.Index(fields=["region", "starts_on"]),
            # Identical runs (same activity, dates and place) are listed once: the search looks each run's
            # earlier twins up in this index alone (it covers every column compared).
            models.Index(
                fields=["activity", "starts_on", "ends_on", "region", "town", "venue", "id"],
                name="catalogue_run_identical",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.starts_on:%d.%m.%Y} {self.town}"

    @property
    def free_places(self) -> int:
        return max(0, self.places - self.booked)


class ProgrammeDay(models.Model):
    """A programme day: teaching from–to with the breaks inside it."""

    instance = models.ForeignKey(ActivityInstance, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    break_minutes = models.PositiveSmallIntegerField(default=0)
    sessions = models.JSONField(default=list, blank=True, help_text='[{"from", "to", "title"}] in order.')

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "date"], name="one_programme_day_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class ApprovalDecision(models.Model):
    """A versioned approval decision; claims are judged against the one in force on the activity date."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        CHANGE = "change", _("Changed")
        REVOKE = "revoke", _("Withdrawn")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    approval = models.CharField(max_length=12, choices=Activity.Approval.choices)
    scope = models.CharField(max_length=10, choices=Activity.Scope.choices, default=Activity.Scope.GENERAL)
    se_theme = models.ForeignKey(SeTheme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    reasons = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    approved_half_days = models.JSONField(
        default=dict, blank=True, help_text="Approved course days per instance id, in half days."
    )
    by_steering_group = models.BooleanField(default=False)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "version"], name="one_decision_per_version"),
            length_at_most("reasons", TEXT_MAX),
            length_at_most("conditions", TEXT_MAX),
        ]
        ordering = ["activity", "version"]

    def __str__(self) -> str:
        return f"{self.activity} v{self.version}: {self.kind}"


class Attendance(models.Model):
    """A participant reported by the provider (or recorded by a claim) for one instance."""

    instance = models.ForeignKey(ActivityInstance, on_delete=models.CASCADE, related_name="attendances")
    doctor = models.ForeignKey("accounts.Doctor", on_delete=models.PROTECT, related_name="attendances")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "doctor"], name="one_attendance_per_doctor")
        ]

    def __str__(self) -> str:
        return f"{self.doctor} at {self.instance}"


class NumberSequence(models.Model):
    """The last activity number issued in a year; locked while a number is taken, so none repeat."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_issued = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_issued}"


class ActivityNumber(models.Model):
    """An issued `YYYY-NNNN` number; group concepts (SGE, DGE modules) get one per year they run."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="numbers")
    year = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=9, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "year"], name="one_number_per_year")]
        ordering = ["year"]

    def __str__(self) -> str:
        return self.number


class ApprovalAppeal(models.Model):
    """An applicant's appeal of a rejection to the steering group (P-07)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting the steering group")
        UPHELD = "upheld", _("Rejection upheld")
        OVERTURNED = "overturned", _("Rejection overturned")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="appeals")
    reasons = models.TextField()
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "pk"]
        constraints = [length_at_most("reasons", TEXT_MAX), length_at_most("decision_reasons", TEXT_MAX)]

    def __str__(self) -> str:
        return f"Appeal of {self.activity}: {self.outcome}"


class ActivityEvent(models.Model):
    """What happened to an application; events marked for the applicant are their notifications."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    for_applicant = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} on {self.activity}"
