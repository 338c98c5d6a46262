from django import forms


class RejectionForm(forms.Form):
    """The workflow's reject action: the reason is required and is shown to the vendor."""

    comment = forms.CharField(label="Причина отклонения", required=True, widget=forms.Textarea({"rows": 3}))
