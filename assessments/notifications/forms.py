from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from ..models import DeliveryChoice, NotificationKind
from .preferences import mandatory_kinds, preferences_for


class NotificationPreferencesForm(forms.Form):
    """One choice per event kind; kinds the user's role must receive offer no "not at all"."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = preferences_for(user=user)
        mandatory = mandatory_kinds(user)
        for kind in NotificationKind:
            choices = DeliveryChoice.choices
            help_text = ""
            if kind in mandatory:
                choices = [c for c in choices if c[0] != DeliveryChoice.NONE]
                help_text = "Your role cannot switch this off: it asks for your action."
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                initial=current[kind.value],
                widget=forms.RadioSelect,
                help_text=help_text,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*(InlineRadios(name) for name in self.fields))
