// Openings' skills field: offer suggestions for the skill being typed after the last separator.
(function () {
  "use strict";
  var input = document.querySelector('input[list="skill-suggestions"]');
  var list = document.getElementById('skill-suggestions');
  if (!input || !list) { return; }
  var all = Array.prototype.map.call(list.options, function (option) { return option.value; });
  function refresh() {
    var typed = input.value;
    var cut = Math.max(typed.lastIndexOf(','), typed.lastIndexOf('，'), typed.lastIndexOf('、'),
                       typed.lastIndexOf(';'), typed.lastIndexOf('；'));
    var prefix = cut < 0 ? '' : typed.slice(0, cut + 1) + (typed.charAt(cut) === ',' || typed.charAt(cut) === ';' ? ' ' : '');
    var taken = {};
    typed.split(/[,，、;；]/).forEach(function (part) { taken[part.trim().toLowerCase()] = true; });
    list.innerHTML = '';
    all.forEach(function (skill) {
      if (taken[skill.toLowerCase()]) { return; }
      var option = document.createElement('option');
      option.value = prefix + skill;
      option.label = skill;
      list.appendChild(option);
    });
  }
  input.addEventListener('input', refresh);
  refresh();
})();
