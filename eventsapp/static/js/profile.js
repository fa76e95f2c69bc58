// The candidate's profile page: skill suggestions and preview, and the résumé's size checked before upload.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById('profile-settings').textContent);

  // Skills: suggest for the skill being typed after the last separator, and show how the line is read.
  var input = document.getElementById(settings.skills_field);
  var list = document.getElementById('skill-suggestions');
  var preview = document.getElementById('skill-preview');
  var suggestions = Array.prototype.map.call(list.options, function (option) { return option.value; });
  var separators = /[,，、;；\n]/;
  var maxSkills = settings.max_skills, maxLength = settings.max_skill_length;
  function skills() {
    var seen = {}, result = [];
    input.value.split(separators).forEach(function (part) {
      var skill = part.trim().replace(/\s+/g, ' ');
      if (skill && !seen[skill.toLowerCase()]) { seen[skill.toLowerCase()] = true; result.push(skill); }
    });
    return result;
  }
  function refresh() {
    var chosen = skills();
    var typed = input.value;
    var cut = Math.max(typed.lastIndexOf(','), typed.lastIndexOf('，'), typed.lastIndexOf('、'),
                       typed.lastIndexOf(';'), typed.lastIndexOf('；'));
    var prefix = cut < 0 ? '' : typed.slice(0, cut + 1) + (typed.charAt(cut) === ',' || typed.charAt(cut) === ';' ? ' ' : '');
    var taken = {};
    chosen.forEach(function (skill) { taken[skill.toLowerCase()] = true; });
    list.innerHTML = '';
    suggestions.forEach(function (skill) {
      if (taken[skill.toLowerCase()]) { return; }
      var option = document.createElement('option');
      option.value = prefix + skill;
      option.label = skill;
      list.appendChild(option);
    });
    preview.innerHTML = '';
    chosen.forEach(function (skill, index) {
      var badge = document.createElement('span');
      badge.className = 'badge rounded-pill text-truncate mw-100 ' + (index < maxSkills && skill.length <= maxLength ? 'text-bg-light border' : 'text-bg-danger');
      badge.textContent = skill;
      preview.appendChild(badge);
    });
    preview.hidden = chosen.length === 0;
  }
  input.addEventListener('input', refresh);
  refresh();

  // Résumé: say at once when the file is too large, before sending it over a phone connection.
  var resumeForm = document.getElementById('resume-form');
  var fileInput = resumeForm.querySelector('input[type=file]');
  resumeForm.addEventListener('submit', function (event) {
    var file = fileInput.files[0];
    if (file && file.size > settings.resume_max_bytes) {
      event.preventDefault();
      window.alert(settings.resume_too_large);
    }
  });
})();
