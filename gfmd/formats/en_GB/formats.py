"""British English dates written out in full ("2 December 2026"), as the pages always wrote them;
French and Spanish pages use Django's own formats ("2 décembre 2026", "2 de diciembre de 2026")."""

DATE_FORMAT = "j F Y"
