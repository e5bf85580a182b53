from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import scope
from .formsets import BoundedInlineFormSet
from .models import (
    Building,
    BuildingGroup,
    Community,
    Estate,
    GroupBuilding,
    Member,
    MemberCategory,
    StaffScope,
    Town,
)
from .scoped_admin import (
    BoundedInline,
    ConstraintCheckingForm,
    ModelMultipleIdsField,
    ScopedModelAdmin,
)
from .services import group_delete, group_set_buildings, group_set_leader, staff_account_activate


def _count(rows, field):
    """A correlated count of `rows` (a queryset, already gated), so several counts on one list
    do not multiply each other and count only what the user may see."""
    return Coalesce(
        Subquery(
            rows.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def poster_link(url_name, pk):
    """A link to the printable QR poster (served by the appeals app, found by URL name so
    this app imports nothing of it)."""
    try:
        url = reverse(url_name, args=[pk])
    except NoReverseMatch:
        return "—"
    return format_html('<a href="{}" target="_blank">{}</a>', url, _("QR poster"))


class ReadOnlyListInline(BoundedInline, admin.TabularInline):
    """Lists the children of an object with a link to each; they are edited on their own page."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return scope.may(request.user, scope.VIEW, self.model)

    def get_queryset(self, request):
        return scope.gate_for(self.model)(request.user)


@admin.register(Town)
class TownAdmin(ScopedModelAdmin):
    gate = scope.towns_for
    list_display = ["name", "county", "community_count"]
    search_fields = ["name"]

    class CommunityInline(ReadOnlyListInline):
        model = Community
        fields = ["name"]
        readonly_fields = ["name"]

    inlines = [CommunityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(community_count=_count(scope.communities_for(request.user), "town"))
        )

    @admin.display(description=_("communities"), ordering="community_count")
    def community_count(self, town):
        return town.community_count


@admin.register(Community)
class CommunityAdmin(ScopedModelAdmin):
    gate = scope.communities_for
    list_display = ["name", "town", "office_phone", "estate_count"]
    fieldsets = [
        (None, {"fields": ["town", "name"]}),
        (_("Shown to residents"), {"fields": ["phone"]}),
    ]
    list_filter = ["town"]
    list_select_related = ["town"]
    search_fields = ["name"]

    class EstateInline(ReadOnlyListInline):
        model = Estate
        fields = ["name", "branch_name", "secretary"]
        readonly_fields = fields

        def get_queryset(self, request):
            return super().get_queryset(request).select_related("secretary")

    inlines = [EstateInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(estate_count=_count(scope.estates_for(request.user), "community"))
        )

    @admin.display(description=_("estates"), ordering="estate_count")
    def estate_count(self, community):
        return community.estate_count

    @admin.display(description=_("office telephone"), ordering="phone")
    def office_phone(self, community):
        if not community.phone:
            return self.get_empty_value_display()
        return format_html('<span class="nowrap">{}</span>', community.phone)


class BuildingRenameFormSet(BoundedInlineFormSet):
    """Renaming is saved row by row: a new name another building still holds (a swap of
    two names) would break the estate's unique names half way, so it is refused here."""

    def clean(self):
        super().clean()
        if self.instance._state.adding:
            # A new estate holds no buildings yet (and an unsaved one cannot be a filter);
            # two new rows of one name are the formset's unique check, done above.
            return
        renamed = {
            form.cleaned_data["name"]: form.instance.pk
            for form in self.forms
            if form.has_changed()
            and form.cleaned_data.get("name")
            and not form.cleaned_data.get("DELETE")
        }
        held = Building.objects.filter(estate=self.instance, name__in=renamed)
        taken = [b.name for b in held if b.pk != renamed.get(b.name)]
        if taken:
            raise ValidationError(
                _(
                    "%(names)s: another building of this estate still has that name. "
                    "Rename one of them first, save, then the other."
                )
                % {"names": "、".join(taken)}
            )


@admin.register(Estate)
class EstateAdmin(ScopedModelAdmin):
    gate = scope.estates_for
    list_display = [
        "name",
        "community",
        "branch_name",
        "secretary",
        "branch_founded",
        "building_count",
        "member_count",
        "poster",
    ]
    list_filter = ["community"]
    list_select_related = ["community", "secretary"]
    search_fields = ["name", "branch_name", "address"]
    fieldsets = [
        (None, {"fields": ["community", "name", "address"]}),
        (_("Party branch"), {"fields": ["branch_name", "secretary", "branch_founded"]}),
        (_("Location"), {"fields": [("latitude", "longitude")]}),
    ]

    class BuildingInline(BoundedInline, admin.TabularInline):
        model = Building
        extra = 1
        max_new = 20
        fields = ["name", "latitude", "longitude"]
        formset = BuildingRenameFormSet

        def has_view_permission(self, request, obj=None):
            return scope.may(request.user, scope.VIEW, Building)

        def has_add_permission(self, request, obj=None):
            return scope.may(request.user, scope.ADD, Building)

        def has_change_permission(self, request, obj=None):
            return scope.may(request.user, scope.CHANGE, Building)

        def has_delete_permission(self, request, obj=None):
            return scope.may(request.user, scope.DELETE, Building)

        def get_queryset(self, request):
            return scope.buildings_for(request.user).select_related("estate")

    inlines = [BuildingInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                building_count=_count(Building.objects.all(), "estate"),
                member_count=_count(Member.objects.all(), "estate"),
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "secretary":
            kwargs["queryset"] = scope.secretaries_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("poster"))
    def poster(self, estate):
        return poster_link("poster_estate", estate.pk)

    @admin.display(description=_("buildings"), ordering="building_count")
    def building_count(self, estate):
        return estate.building_count

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, estate):
        return estate.member_count


@admin.register(Building)
class BuildingAdmin(ScopedModelAdmin):
    gate = scope.buildings_for
    list_display = ["name", "estate", "group_names", "poster"]
    list_filter = ["estate__community", "estate"]
    list_select_related = ["estate"]
    search_fields = ["name", "estate__name"]

    def get_queryset(self, request):
        group_name = GroupBuilding.objects.filter(building=OuterRef("pk")).values("group__name")[:1]
        return super().get_queryset(request).annotate(group_name=Subquery(group_name))

    @admin.display(description=_("building group"), ordering="group_name")
    def group_names(self, building):
        return building.group_name or "—"

    @admin.display(description=_("poster"))
    def poster(self, building):
        return poster_link("poster_building", building.pk)

    def get_readonly_fields(self, request, obj=None):
        # Moving a building that a group covers would break its group; the database refuses it.
        if obj is not None and GroupBuilding.objects.filter(building=obj).exists():
            return ["estate"]
        return []


class BuildingGroupForm(ConstraintCheckingForm):
    """Buildings and leader are chosen here and saved through the services, which keep the
    one-group-per-building and one-leader rules."""

    cover = ModelMultipleIdsField(
        label=_("Buildings covered"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only buildings of the group's estate."),
    )
    leader = forms.ModelChoiceField(
        label=_("Group leader"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("A member of this group. Save new members first, then choose."),
    )

    class Meta:
        model = BuildingGroup
        fields = ["estate", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("cover", [b.pk for b in self.instance.buildings.all()])
            leader = Member.objects.filter(group=self.instance, is_leader=True).first()
            self.initial.setdefault("leader", leader.pk if leader else None)

    def clean(self):
        cleaned = super().clean()
        estate = cleaned.get("estate") or getattr(self.instance, "estate", None)
        if estate is None:
            return cleaned
        foreign = [b for b in cleaned.get("cover", []) if b.estate_id != estate.pk]
        if foreign:
            self.add_error(
                "cover",
                _("Not in %(estate)s: %(buildings)s.")
                % {"estate": estate, "buildings": ", ".join(b.name for b in foreign)},
            )
        taken = GroupBuilding.objects.filter(building__in=cleaned.get("cover", [])).select_related(
            "building", "group"
        )
        if self.instance.pk:
            taken = taken.exclude(group=self.instance)
        if taken:
            self.add_error(
                "cover",
                _("Already covered by another group: %(pairs)s.")
                % {"pairs": ", ".join(f"{g.building.name} ({g.group.name})" for g in taken)},
            )
        leader = cleaned.get("leader")
        if leader is not None and leader.group_id != self.instance.pk:
            self.add_error("leader", _("The leader must be a member of this group."))
        return cleaned


@admin.register(BuildingGroup)
class BuildingGroupAdmin(ScopedModelAdmin):
    gate = scope.groups_for
    form = BuildingGroupForm
    list_display = ["name", "estate", "leader_name", "building_names", "member_count"]
    list_filter = ["estate__community", "estate"]
    list_select_related = ["estate"]
    search_fields = ["name", "estate__name"]

    class MemberInline(ReadOnlyListInline):
        model = Member
        fields = ["category", "is_leader", "active"]  # the name heads each row already
        readonly_fields = fields

        def get_queryset(self, request):
            return super().get_queryset(request).select_related("category")

    inlines = [MemberInline]

    def get_queryset(self, request):
        leader = Member.objects.filter(group=OuterRef("pk"), is_leader=True).values("name")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(
                leader_name=Subquery(leader), member_count=_count(Member.objects.all(), "group")
            )
            .prefetch_related("buildings")
        )

    def get_readonly_fields(self, request, obj=None):
        # A group belongs to its estate for good: its buildings and members are there.
        return ["estate"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        buildings = scope.buildings_for(request.user).select_related("estate")
        members = Member.objects.none()
        if obj is not None:
            buildings = buildings.filter(estate=obj.estate_id)
            members = scope.members_for(request.user).filter(group=obj)

        # The choices belong to this request's form instance: the form class's fields are
        # shared by every request, and another user's choices must never show up here.
        class ScopedBuildingGroupForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["cover"].queryset = buildings
                self.fields["leader"].queryset = members

        return ScopedBuildingGroupForm

    def delete_model(self, request, obj):
        group_delete(group=obj)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            group_delete(group=group)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        try:
            group_set_buildings(group=form.instance, buildings=form.cleaned_data["cover"])
            group_set_leader(group=form.instance, member=form.cleaned_data.get("leader"))
        except ValidationError as error:  # a concurrent edit got there first
            self.message_user(request, " ".join(error.messages), level="error")

    @admin.display(description=_("leader"), ordering="leader_name")
    def leader_name(self, group):
        return group.leader_name or "—"

    @admin.display(description=_("buildings"))
    def building_names(self, group):
        return "、".join(b.name for b in group.buildings.all())

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, group):
        return group.member_count


@admin.register(MemberCategory)
class MemberCategoryAdmin(ScopedModelAdmin):
    gate = scope.member_categories_for
    list_display = ["name", "name_en", "position"]
    search_fields = ["name", "name_en"]


@admin.register(Member)
class MemberAdmin(ScopedModelAdmin):
    gate = scope.members_for
    list_display = [
        "name",
        "phone_masked",
        "estate",
        "group",
        "category",
        "is_leader",
        "active",
        "joined",
    ]
    list_filter = ["estate__community", "estate", "category", "is_leader", "active"]
    list_select_related = ["estate", "group__estate", "category"]
    # "=phone": a clerk finds a member by the whole number, never by a fragment.
    search_fields = ["name", "=phone"]
    autocomplete_fields = ["group"]
    fieldsets = [
        (None, {"fields": ["estate", "group", "name", "phone", "category"]}),
        (_("Membership"), {"fields": ["is_leader", "joined", "active"]}),
    ]

    @admin.display(description=_("phone"))
    def phone_masked(self, member):
        return member.masked_phone


class StaffScopeInline(BoundedInline, admin.StackedInline):
    model = StaffScope
    can_delete = True
    extra = 0
    max_num = 1
    max_new = 1


User = get_user_model()
admin.site.unregister(User)
# Roles decide what staff may do (branches.scope), not Django's groups and permissions.
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Only superusers manage staff accounts; each gets its scope here."""

    inlines = [StaffScopeInline]
    list_display = ["username", "first_name", "last_name", "is_staff", "is_superuser", "scope"]
    list_select_related = ["staff_scope__town", "staff_scope__community", "staff_scope__estate"]

    @admin.display(description=_("scope"))
    def scope(self, user):
        staff_scope = getattr(user, "staff_scope", None)
        return str(staff_scope) if staff_scope else "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelMultipleIdsField)  # groups, permissions
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_account_activate(user=form.instance)


# The Five Modernizations' admin pages, each in its own module (registered on import).
from . import admin_checklists, admin_ledger, admin_orglife, admin_stations  # noqa: E402,F401
