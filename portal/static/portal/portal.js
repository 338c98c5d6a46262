// Небольшое улучшение страниц: без скрипта всё работает формами и ссылками.
// 1) Фильтры и порядок применяются сразу при выборе мышью или касанием; с клавиатуры выбор не уводит
//    со страницы — применяют кнопками «Применить» и «Показать» (WCAG 3.2.2);
// 2) подсказки в поле поиска — из /suggest/ (те же, что отдаёт /api/v1/search/suggest/).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // On a phone the filters start folded, so the results come first (without the script they stay open).
  var filters = document.querySelector(".facets-toggle");
  if (filters && window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
    filters.removeAttribute("open");
  }

  var byKeyboard = false;
  document.addEventListener("keydown", function () { byKeyboard = true; });
  document.addEventListener("pointerdown", function () { byKeyboard = false; });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && !byKeyboard) {
      form.submit();
    }
  });

  var input = document.querySelector("input[data-suggest]");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) {
    return;
  }
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2 || text === last) {
      return;
    }
    timer = setTimeout(function () {
      last = text;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.suggestions.forEach(function (suggestion) {
            var option = document.createElement("option");
            option.value = suggestion;
            list.appendChild(option);
          });
        })
        .catch(function () { list.textContent = ""; });
    }, 200);
  });
})();
